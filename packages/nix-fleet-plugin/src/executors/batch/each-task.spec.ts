import { spawn } from 'node:child_process';
import { eachTask, type BatchYield } from './each-task';

async function collect(gen: AsyncGenerator<BatchYield>): Promise<BatchYield[]> {
  const out: BatchYield[] = [];
  for await (const y of gen) out.push(y);
  return out;
}

/** A promise per name, settled by the spec: the order hosts finish in is the spec's choice. */
function gates(names: string[]) {
  const open: Record<string, (ok: boolean) => void> = {};
  const wait = Object.fromEntries(names.map((n) => [n, new Promise<boolean>((r) => (open[n] = r))]));
  return { open, wait };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('eachTask', () => {
  it('yields each host as it finishes, not in task or sorted order, with its own output: stdout, and stderr too for a failure', async () => {
    const { open, wait } = gates(['web1', 'nas1', 'ares']);
    const gen = eachTask(['web1', 'nas1', 'ares'], async (id) => {
      process.stdout.write(`${id}: started\n`);
      const ok = await wait[id];
      process.stderr.write(`${id}: done\n`);
      return { success: ok };
    }, { limit: 3 });
    const first = gen.next();
    await tick();
    open.nas1(true);
    expect((await first).value).toMatchObject({ task: 'nas1', result: { success: true, terminalOutput: 'nas1: started\n' } });
    open.ares(false);
    open.web1(true);
    const rest = await collect(gen);
    expect(rest.map((r) => [r.task, r.result.success])).toEqual([['ares', false], ['web1', true]]);
    expect(rest[0].result.terminalOutput).toBe('ares: started\nares: done\n');
    expect(rest[1].result.terminalOutput).toBe('web1: started\n');
  });

  it('keeps at most `limit` hosts in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await collect(eachTask(['a', 'b', 'c', 'd', 'e'], async () => {
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
      return { success: true };
    }, { limit: 2 }));
    expect(most).toBe(2);
    expect(results.map((r) => r.task).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.each([0, -3, Number.NaN])('runs one at a time when the limit is %p', async (limit) => {
    const results = await collect(eachTask(['a', 'b'], async () => ({ success: true }), { limit }));
    expect(results).toHaveLength(2);
  });

  it('a throw fails that host only, with the error in its output', async () => {
    const results = await collect(eachTask(['bad', 'good'], async (id) => {
      if (id === 'bad') throw new Error('ssh: connection refused');
      return { success: true };
    }, { limit: 1 }));
    expect(results.map((r) => [r.task, r.result.success])).toEqual([['bad', false], ['good', true]]);
    expect(results[0].result.terminalOutput).toContain('ssh: connection refused');
  });

  it('a host whose run throws before it returns a promise (its context, its options) fails alone', async () => {
    const runOne = (id: string): Promise<{ success: boolean }> => {
      if (id === 'bad') throw new Error('no task bad in the task graph');
      return Promise.resolve({ success: true });
    };
    const results = await collect(eachTask(['good1', 'bad', 'good2'], runOne, { limit: 2 }));
    expect(Object.fromEntries(results.map((r) => [r.task, r.result.success]))).toEqual({ good1: true, bad: false, good2: true });
    expect(results.find((r) => r.task === 'bad')?.result.terminalOutput).toContain('no task bad in the task graph');
  });

  it('a result that is not an object fails that host, never the batch', async () => {
    const results = await collect(eachTask(['odd', 'good'], async (id) => (id === 'odd' ? (undefined as unknown as { success: boolean }) : { success: true }), { limit: 2 }));
    expect(results.map((r) => [r.task, r.result.success]).sort()).toEqual([['good', true], ['odd', false]]);
  });

  it('an exception nothing caught fails every unfinished host with the reason, and finished ones keep their result', async () => {
    const { open, wait } = gates(['done', 'running', 'waiting']);
    const listeners = process.listeners('uncaughtException').length;
    const gen = eachTask(['done', 'running', 'waiting'], async (id) => {
      process.stdout.write(`${id} says hello\n`);
      await wait[id];
      return { success: true };
    }, { limit: 1 });
    const first = gen.next();
    open.done(true);
    expect((await first).value.task).toBe('done');
    const second = gen.next();
    await tick();
    (process.emit as (event: string, ...args: unknown[]) => boolean)('uncaughtException', new Error('boom in a stream handler'), 'uncaughtException');
    const rest = [(await second).value as BatchYield, ...(await collect(gen))];
    expect(rest.map((r) => [r.task, r.result.success])).toEqual([['running', false], ['waiting', false]]);
    expect(rest[0].result.terminalOutput).toMatch(/^running says hello\n[\s\S]*failed while this host was running: Error: boom in a stream handler/);
    expect(rest[1].result.terminalOutput).toMatch(/^Not started: the batch process failed before this host started: Error: boom/);
    expect(process.listeners('uncaughtException')).toHaveLength(listeners);
  });

  it('starts no host after a stop and says why', async () => {
    const stop = new AbortController();
    const started: string[] = [];
    const results = await collect(eachTask(['a', 'b', 'c'], async (id) => {
      started.push(id);
      stop.abort('SIGTERM');
      return { success: false };
    }, { limit: 1, signal: stop.signal }));
    expect(started).toEqual(['a']);
    expect(results.map((r) => r.task)).toEqual(['a', 'b', 'c']);
    expect(results[2].result).toMatchObject({ success: false, terminalOutput: 'Not started: the batch was stopped by SIGTERM.\n' });
  });

  it("keeps a command's piped output with the host that ran it, also when hosts overlap", async () => {
    const echo = (id: string) => new Promise<{ success: boolean }>((resolve) => {
      const child = spawn('sh', ['-c', `echo "${id} out"; sleep 0.05; echo "${id} err" >&2; test ${id} != h2`]);
      child.stdout.pipe(process.stdout, { end: false });
      child.stderr.pipe(process.stderr, { end: false });
      child.on('close', (code) => resolve({ success: code === 0 }));
    });
    const results = await collect(eachTask(['h1', 'h2', 'h3'], echo, { limit: 3 }));
    const byHost = Object.fromEntries(results.map((r) => [r.task, r.result.terminalOutput]));
    expect(byHost).toEqual({ h1: 'h1 out\n', h2: 'h2 out\nh2 err\n', h3: 'h3 out\n' });
  });
});
