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

// Nx's own reading is the oracle: its yargs options for --parallel (a string) and the hidden
// --maxParallel (a number), then readParallelFromArgsAndEnv. A batch that reads a number Nx did
// not would contact more hosts at once than the user allowed.
describe('batch parallelism reads the command line as Nx does', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yargsParser = require('yargs-parser');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { readParallelFromArgsAndEnv } = require('nx/src/command-line/yargs-utils/shared-options');
  const nxReads = (args: string[], env: NodeJS.ProcessEnv): number | undefined => {
    const saved = process.env.NX_PARALLEL;
    if (env.NX_PARALLEL === undefined) delete process.env.NX_PARALLEL;
    else process.env.NX_PARALLEL = env.NX_PARALLEL;
    try {
      const n = readParallelFromArgsAndEnv(yargsParser(args, { string: ['parallel'], number: ['maxParallel'], configuration: { 'strip-dashed': true } }));
      return Number.isNaN(n) ? undefined : n;
    } finally {
      if (saved === undefined) delete process.env.NX_PARALLEL;
      else process.env.NX_PARALLEL = saved;
    }
  };
  it.each<[string[], NodeJS.ProcessEnv]>([
    [['--parallel=1', '--parallel=3'], {}],
    [['--parallel=3', '--parallel=1'], {}],
    [['--parallel', '2.5'], {}],
    [['--parallel', '-2'], {}],
    [['--parallel=0x10'], {}],
    [['--parallel=3x'], {}],
    [['--parallel= 4'], {}],
    [['--parallel', '--max-parallel=2'], {}],
    [['--parallel=true', '--maxParallel=5'], {}],
    [['--max-parallel=2'], { NX_PARALLEL: '5' }],
    [['--max-parallel=2'], {}],
    [['--no-parallel'], {}],
    [['--parallel=false'], { NX_PARALLEL: '5' }],
    [['--parallel=7'], { NX_PARALLEL: '5' }],
    [['--parallel=50%'], {}],
    [['--parallel', '6', '-t', 'exec'], {}],
  ])('%j with %j', (args, env) => {
    expect(parallelFromArgs(['run-many', '-t', 'exec', ...args], env)).toBe(nxReads(['run-many', '-t', 'exec', ...args], env));
  });
});
