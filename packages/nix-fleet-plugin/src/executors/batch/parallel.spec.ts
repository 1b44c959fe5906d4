import { availableParallelism } from 'node:os';
import { batchParallel, parallelFromArgs } from './parallel';

describe('batch parallelism', () => {
  it.each<[string[], number | undefined]>([
    [['run-many', '-t', 'exec', '--parallel=10'], 10],
    [['run-many', '-t', 'exec', '--parallel', '7'], 7],
    [['run-many', '--parallel', '-t', 'exec'], 3],
    [['run-many', '-t', 'exec', '--parallel=false'], 1],
    [['run-many', '-t', 'exec', '--parallel=0'], 1],
    [['run-many', '-t', 'exec', '--parallel=-4'], 1],
    [['run-many', '-t', 'exec', '--parallel=abc'], undefined],
    [['run-many', '-t', 'exec', '--', '--parallel=9'], undefined],
    [['run-many', '-t', 'exec'], undefined],
  ])('%j gives %p', (args, expected) => {
    expect(parallelFromArgs(args, {})).toBe(expected);
  });

  it('reads N% of the cores as Nx does', () => {
    expect(parallelFromArgs(['--parallel=50%'], {})).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
  });

  it('takes NX_PARALLEL for a bare --parallel or none, the command line over it', () => {
    expect(parallelFromArgs(['--parallel'], { NX_PARALLEL: '6' })).toBe(6);
    expect(parallelFromArgs([], { NX_PARALLEL: '6' })).toBe(6);
    expect(parallelFromArgs(['--parallel=2'], { NX_PARALLEL: '6' })).toBe(2);
  });

  // Nx's parser (yargs): --no-parallel is parallel=false; a bare --parallel takes --maxParallel / --max-parallel first.
  it.each<[string[], number | undefined]>([
    [['run-many', '-t', 'deploy', '--no-parallel'], 1],
    [['run-many', '-t', 'deploy', '--parallel', '--maxParallel=5'], 5],
    [['run-many', '-t', 'deploy', '--parallel', '--max-parallel', '4'], 4],
    [['run-many', '-t', 'deploy', '--parallel=true', '--max-parallel=2'], 2],
    [['run-many', '-t', 'deploy', '--parallel=6', '--maxParallel=2'], 6],
  ])('as Nx: %j gives %p', (args, expected) => {
    expect(parallelFromArgs(args, { NX_PARALLEL: '9' })).toBe(expected);
  });

  it("falls back to nx.json's parallel, then Nx's 3", () => {
    expect(batchParallel({ nxJsonConfiguration: { parallel: 5 } }, [], {})).toBe(5);
    expect(batchParallel({ nxJsonConfiguration: {} }, [], {})).toBe(3);
    expect(batchParallel({ nxJsonConfiguration: { parallel: 5 } }, ['--parallel=1'], {})).toBe(1);
  });
});
