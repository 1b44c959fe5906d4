import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { hostOperationBatch, type InBatch } from './host-operation';
import type { BatchYield } from './batch/each-task';

const graphOf = (hosts: string[]) =>
  ({ roots: hosts.map((h) => `${h}:exec`), dependencies: {}, tasks: Object.fromEntries(hosts.map((h) => [`${h}:exec`, { id: `${h}:exec`, target: { project: h, target: 'exec' }, overrides: {} }])) }) as unknown as TaskGraph;
const contextOf = (parallel?: number) => ({ root: '/nowhere', cwd: '/nowhere', isVerbose: false, nxJsonConfiguration: { parallel } }) as unknown as ExecutorContext;
const inputsOf = (hosts: string[]) => Object.fromEntries(hosts.map((h) => [`${h}:exec`, { command: `echo ${h}` }]));

async function collect(gen: AsyncGenerator<BatchYield>): Promise<BatchYield[]> {
  const out: BatchYield[] = [];
  for await (const y of gen) out.push(y);
  return out;
}

describe("host-operation's batch path", () => {
  const saved = process.env.NX_PARALLEL;
  beforeEach(() => delete process.env.NX_PARALLEL);
  afterAll(() => (saved === undefined ? delete process.env.NX_PARALLEL : (process.env.NX_PARALLEL = saved)));

  it("runs each task with its own project, its options and the batch's stop signal, at most nx.json's parallel at a time", async () => {
    const hosts = ['web2', 'db1', 'web10', 'cache'];
    const seen: Array<{ project?: string; options: unknown; signal: AbortSignal }> = [];
    let inFlight = 0;
    let most = 0;
    const executor = async (options: { command: string }, context: ExecutorContext, batch: InBatch) => {
      seen.push({ project: context.projectName, options, signal: batch.signal });
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { success: context.projectName !== 'db1' };
    };
    const results = await collect(hostOperationBatch(executor)(graphOf(hosts), inputsOf(hosts), { command: '' }, contextOf(2)));
    expect(most).toBe(2);
    expect(seen.map((s) => [s.project, s.options])).toEqual(hosts.map((h) => [h, { command: `echo ${h}` }]));
    expect(new Set(seen.map((s) => s.signal)).size).toBe(1);
    expect(Object.fromEntries(results.map((r) => [r.task, r.result.success]))).toEqual({ 'web2:exec': true, 'db1:exec': false, 'web10:exec': true, 'cache:exec': true });
  });

  it('on SIGTERM the running host sees the stop, no other host starts, every host is reported, and the process lives on to report', async () => {
    const hosts = ['a', 'b', 'c'];
    const started: string[] = [];
    const executor = async (_o: unknown, context: ExecutorContext, batch: InBatch) => {
      started.push(context.projectName as string);
      process.emit('SIGTERM', 'SIGTERM');
      return { success: !batch.signal.aborted };
    };
    const signalsBefore = process.listenerCount('SIGTERM');
    const results = await collect(hostOperationBatch(executor)(graphOf(hosts), inputsOf(hosts), {}, contextOf(1)));
    expect(started).toEqual(['a']);
    expect(results.map((r) => [r.task, r.result.success])).toEqual([['a:exec', false], ['b:exec', false], ['c:exec', false]]);
    expect(results[1].result.terminalOutput).toBe('Not started: the batch was stopped by SIGTERM.\n');
    expect(process.listenerCount('SIGTERM')).toBe(signalsBefore);
  });
});
