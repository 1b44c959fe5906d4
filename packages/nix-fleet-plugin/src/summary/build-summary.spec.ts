import type { PostTasksExecutionContext } from '@nx/devkit';
import { buildCounts, buildSummary, buildSummaryLine } from './build-summary';

const task = (project: string, target: string, status: string) => ({ task: { target: { project, target } }, status });

function contextOf(results: Array<ReturnType<typeof task>>, argv = ['node', 'nx', 'affected', '-t', 'build']): PostTasksExecutionContext {
  return { workspaceRoot: '/w', argv, taskResults: Object.fromEntries(results.map((r) => [`${r.task.target.project}:${r.task.target.target}`, r])) } as unknown as PostTasksExecutionContext;
}

describe('build summary', () => {
  // 12 hosts affected by a profile change: all evaluated, 3 derivations changed, one build failed.
  const hosts = Array.from({ length: 12 }, (_, i) => `h${i}`);
  const results = hosts.flatMap((h, i) => [
    task(h, 'eval', 'success'),
    task(h, 'build', i < 3 ? 'success' : i === 3 ? 'failure' : i === 4 ? 'remote-cache' : 'local-cache'),
    task(h, 'deploy', 'success'),
  ]);

  it('counts hosts, systems that changed (builds that ran) and unchanged ones (builds from the cache)', () => {
    const counts = buildCounts(undefined, contextOf(results));
    expect(counts).toEqual({ hosts: 12, evaluated: 12, changed: 3, unchanged: 8, failed: 1 });
    expect(buildSummaryLine(counts)).toBe('nix-fleet: 12 hosts affected, 3 systems changed, 8 unchanged (Nx cache hits), 1 failed or not run; 12 evaluated');
  });

  it('reads renamed targets from the plugin options', () => {
    const renamed = [task('a', 'nix-eval', 'local-cache'), task('a', 'nix-build', 'local-cache'), task('b', 'nix-eval', 'success'), task('b', 'nix-build', 'local-cache')];
    expect(buildCounts({ evalTargetName: 'nix-eval', buildTargetName: 'nix-build' }, contextOf(renamed))).toEqual({ hosts: 2, evaluated: 1, changed: 0, unchanged: 2, failed: 0 });
  });

  it('prints for many hosts, and not for `nx run host:build`', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    buildSummary(undefined, contextOf([task('a', 'eval', 'success'), task('a', 'build', 'success')], ['node', 'nx', 'run', 'a:build']));
    expect(log).not.toHaveBeenCalled();
    buildSummary(undefined, contextOf([task('a', 'eval', 'success'), task('a', 'build', 'success')]));
    expect(log).toHaveBeenCalledWith('\nnix-fleet: 1 host affected, 1 system changed, 0 unchanged (Nx cache hits); 1 evaluated\n');
    log.mockRestore();
  });
});
