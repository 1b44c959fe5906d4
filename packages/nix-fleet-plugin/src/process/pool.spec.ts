import { inParallel } from './pool';

/** Jobs that finish when told, in an order the spec picks. */
function jobs(n: number) {
  const started: number[] = [];
  const finish = new Map<number, () => void>();
  let running = 0;
  let most = 0;
  const work = (i: number) =>
    new Promise<void>((resolve) => {
      started.push(i);
      most = Math.max(most, ++running);
      finish.set(i, () => {
        running--;
        resolve();
      });
    });
  return { started, finish, work, most: () => most, n };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('inParallel', () => {
  it('runs at most `limit` at once, and starts the next as soon as any one ends', async () => {
    const j = jobs(5);
    const all = inParallel([0, 1, 2, 3, 4], 2, j.work);
    await tick();
    expect(j.started).toEqual([0, 1]);
    j.finish.get(1)!();
    await tick();
    expect(j.started).toEqual([0, 1, 2]);
    for (const i of [0, 2, 3, 4]) {
      await tick();
      j.finish.get(i)!();
    }
    await all;
    expect(j.started).toEqual([0, 1, 2, 3, 4]);
    expect(j.most()).toBe(2);
  });

  it.each([[0], [-3], [Number.NaN], [0.5]])('a limit of %p still runs one at a time', async (limit) => {
    const order: number[] = [];
    await inParallel([3, 1, 2], limit, async (i) => void order.push(i));
    expect(order).toEqual([3, 1, 2]);
  });

  it('no items: nothing runs, and it resolves', async () => {
    const work = jest.fn(async () => undefined);
    await inParallel([], 4, work);
    expect(work).not.toHaveBeenCalled();
  });

  it('a failing job rejects the pool', async () => {
    await expect(inParallel([1, 2, 3], 2, async (i) => { if (i === 2) throw new Error('two failed'); })).rejects.toThrow('two failed');
  });
});
