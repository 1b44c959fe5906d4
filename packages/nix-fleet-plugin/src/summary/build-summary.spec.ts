import type { PostTasksExecutionContext } from '@nx/devkit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordBuildChange } from '../nix/build-changes';
import { buildCounts, buildSummary, buildSummaryLine } from './build-summary';

const root = mkdtempSync(join(tmpdir(), 'build-summary-'));
const task = (project: string, target: string, status: string, hash = `${project}-${target}-hash`) => ({ task: { target: { project, target }, hash }, status });

function contextOf(results: Array<ReturnType<typeof task>>, argv = ['node', 'nx', 'affected', '-t', 'build']): PostTasksExecutionContext {
  return { workspaceRoot: root, argv, taskResults: Object.fromEntries(results.map((r) => [`${r.task.target.project}:${r.task.target.target}`, r])) } as unknown as PostTasksExecutionContext;
}

describe('build summary', () => {
  it('12 hosts after a profile change: 3 new systems, 7 from the cache, one failed build, one failed eval whose build never ran', () => {
    const hosts = Array.from({ length: 12 }, (_, i) => `h${i}`);
    const results = hosts.flatMap((h, i) => {
      if (i === 11) return [task(h, 'eval', 'failure')];
      const build = i < 3 ? 'success' : i === 3 ? 'failure' : i === 4 ? 'remote-cache' : 'local-cache';
      return [task(h, 'eval', 'success'), task(h, 'build', build), task(h, 'deploy', 'success')];
    });
    const counts = buildCounts(undefined, contextOf(results));
    expect(counts).toEqual({ hosts: 12, evaluated: 11, changed: 3, unchanged: 7, failed: 2 });
    expect(buildSummaryLine(counts)).toBe('nix-fleet: 12 hosts affected, 3 systems changed, 7 as before, 2 failed or not built; 11 evaluated');
  });

  it('a build that ran but gave the same system (--skip-nx-cache, a new Nix) is unchanged', () => {
    recordBuildChange(root, 'same', 'same-build-hash', false);
    recordBuildChange(root, 'new', 'new-build-hash', true);
    recordBuildChange(root, 'stale', 'an-older-hash', false);
    const results = [
      task('same', 'eval', 'success'),
      task('same', 'build', 'success', 'same-build-hash'),
      task('new', 'build', 'success', 'new-build-hash'),
      task('stale', 'build', 'success', 'stale-build-hash'),
    ];
    expect(buildCounts(undefined, contextOf(results))).toEqual({ hosts: 3, evaluated: 1, changed: 2, unchanged: 1, failed: 0 });
  });

  it('reads renamed targets from the plugin options', () => {
    const renamed = [task('a', 'nix-eval', 'local-cache'), task('a', 'nix-build', 'local-cache'), task('b', 'nix-eval', 'success'), task('b', 'nix-build', 'local-cache')];
    expect(buildCounts({ evalTargetName: 'nix-eval', buildTargetName: 'nix-build' }, contextOf(renamed))).toEqual({ hosts: 2, evaluated: 1, changed: 0, unchanged: 2, failed: 0 });
  });

  it('prints for many hosts, not for `nx run host:build`, and not for a run without builds', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    buildSummary(undefined, contextOf([task('a', 'eval', 'success'), task('a', 'build', 'success')], ['node', 'nx', 'run', 'a:build']));
    buildSummary(undefined, contextOf([task('a', 'eval', 'success'), task('b', 'eval', 'success')], ['node', 'nx', 'run-many', '-t', 'eval']));
    expect(log).not.toHaveBeenCalled();
    buildSummary(undefined, contextOf([task('a', 'eval', 'success'), task('a', 'build', 'success')]));
    expect(log).toHaveBeenCalledWith('\nnix-fleet: 1 host affected, 1 system changed, 0 as before; 1 evaluated\n');
    log.mockRestore();
  });
});
