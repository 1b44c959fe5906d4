import { availableParallelism } from 'node:os';
import { nxParallel } from './nx-parallel';

describe('nxParallel, as Nx 23 reads --parallel', () => {
  it.each([
    [['run-many', '-t', 'deploy', '--parallel=10'], undefined, {}, 10],
    [['run-many', '-t', 'deploy', '--parallel', '4'], undefined, {}, 4],
    [['run-many', '--parallel', '-t', 'deploy'], undefined, {}, 3],
    [['run-many', '--parallel', '--maxParallel=6'], undefined, {}, 6],
    [['run-many', '--parallel=false'], 8, {}, 1],
    [['run-many', '--parallel=0'], undefined, {}, 1],
    [['run-many', '-t', 'deploy'], 7, {}, 7],
    [['run-many', '-t', 'deploy'], undefined, {}, 3],
    [['run-many', '-t', 'deploy'], 7, { NX_PARALLEL: '5' }, 5],
    [undefined, undefined, {}, 3],
  ])('%j with nx.json parallel %j and env %j is %i', (argv, nxJson, env, n) => {
    expect(nxParallel(argv as string[] | undefined, nxJson as number | undefined, env as NodeJS.ProcessEnv)).toBe(n);
  });

  it('reads N% as that share of the cores', () => {
    expect(nxParallel(['--parallel=50%'], undefined, {})).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
  });
});
