// The batch's order: dependencies first (a wave waits for the wave below), at most `limit` at
// once, each yielded as it ends, and a task behind a failed one never started.
import { inTaskOrder, type Outcome } from './task-order';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collect<T>(gen: AsyncGenerator<Outcome<T>>): Promise<Array<Outcome<T>>> {
  const out: Array<Outcome<T>> = [];
  for await (const o of gen) out.push(o);
  return out;
}

describe('inTaskOrder', () => {
  // c:deploy (wave 0, the canary); a and b (wave 1) depend on it; z (wave 2) on a and b.
  const deps = { 'z:deploy': ['a:deploy', 'b:deploy'], 'a:deploy': ['c:deploy', 'c:build'], 'b:deploy': ['c:deploy'], 'c:deploy': ['c:build'] };
  const ids = ['z:deploy', 'b:deploy', 'a:deploy', 'c:deploy'];

  it('starts a task only when its dependencies in the batch succeeded; dependencies outside it are done', async () => {
    const started: string[] = [];
    const ended: string[] = [];
    const run = async (id: string) => {
      started.push(id);
      expect(deps[id as keyof typeof deps].filter((d) => ids.includes(d)).every((d) => ended.includes(d))).toBe(true);
      await tick(id === 'a:deploy' ? 30 : 5);
      ended.push(id);
      return { ok: true, value: id };
    };
    const out = await collect(inTaskOrder(ids, deps, 10, run));
    expect(started).toEqual(['c:deploy', 'a:deploy', 'b:deploy', 'z:deploy']);
    // Yielded as each ends: b before a, which is slower.
    expect(out.map((o) => o.id)).toEqual(['c:deploy', 'b:deploy', 'a:deploy', 'z:deploy']);
  });

  it('a failed task keeps everything after it from starting, transitively, and says which held it back', async () => {
    const run = async (id: string) => ({ ok: id !== 'b:deploy', value: id });
    const out = await collect(inTaskOrder(ids, deps, 10, run));
    expect(out.filter((o) => o.ran).map((o) => o.id)).toEqual(['c:deploy', 'a:deploy', 'b:deploy']);
    expect(out.find((o) => o.id === 'z:deploy')).toEqual({ id: 'z:deploy', ran: false, blockedBy: ['b:deploy'] });
  });

  it.each([1, 2, 3])('keeps at most %i in flight', async (limit) => {
    let now = 0;
    let most = 0;
    const flat = Array.from({ length: 7 }, (_, i) => `h${i}:deploy`);
    await collect(inTaskOrder(flat, {}, limit, async (id) => {
      most = Math.max(most, ++now);
      await tick(5);
      now--;
      return { ok: true, value: id };
    }));
    expect(most).toBe(limit);
  });

  it('treats a limit below 1 as 1, and a cycle as tasks that never start (no hang)', async () => {
    expect((await collect(inTaskOrder(['a'], {}, 0, async (id) => ({ ok: true, value: id })))).map((o) => o.id)).toEqual(['a']);
    const cyc = await collect(inTaskOrder(['a', 'b'], { a: ['b'], b: ['a'] }, 2, async (id) => ({ ok: true, value: id })));
    expect(cyc.every((o) => !o.ran)).toBe(true);
  });

  it('starts nothing more once stopped: the tasks not yet started end as stopped, never run', async () => {
    const stop = new AbortController();
    const started: string[] = [];
    const flat = ['h2:deploy', 'h0:deploy', 'h1:deploy'];
    const out = await collect(inTaskOrder(flat, {}, 1, async (id) => {
      started.push(id);
      stop.abort('SIGINT');
      return { ok: false, value: id };
    }, stop.signal));
    expect(started).toEqual(['h0:deploy']);
    expect(out.map((o) => o.id).sort()).toEqual(['h0:deploy', 'h1:deploy', 'h2:deploy']);
    expect(out.filter((o) => !o.ran)).toEqual([
      { id: 'h1:deploy', ran: false, blockedBy: [], stopped: 'SIGINT' },
      { id: 'h2:deploy', ran: false, blockedBy: [], stopped: 'SIGINT' },
    ]);
  });
});
