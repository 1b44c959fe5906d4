import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostTasksExecutionContext } from '@nx/devkit';
import { appendStepSummary } from '../summary/step-summary';
import { closureSizeRows, closureSizeSummary, renderFleetTable } from './fleet-summary';

const MiB = 2 ** 20;
const report = (host: string, closureSize: number, growth: number | null) => ({
  host,
  closureSize,
  pathCount: 3,
  growth,
  baseline: growth === null ? null : { closureSize: closureSize - growth },
  changes: growth ? [{ kind: 'added', after: ['1'] }, { kind: 'changed', before: ['1', '2'], after: ['3'] }] : [],
});

describe('closure-size fleet summary', () => {
  const root = mkdtempSync(join(tmpdir(), 'fleet-summary-'));
  for (const [host, r] of [['ares', report('ares', 10 * MiB, 5 * MiB)], ['web1', report('web1', 2 * MiB, null)]] as const) {
    mkdirSync(join(root, 'dist/hosts', host), { recursive: true });
    writeFileSync(join(root, 'dist/hosts', host, 'closure.json'), JSON.stringify(r));
  }
  const task = (project: string, target: string, status: string) => ({ task: { target: { project, target } }, status });
  const context = {
    workspaceRoot: root,
    argv: ['node', 'nx', 'run-many', '-t', 'closure-size'],
    taskResults: {
      'web1:closure-size': task('web1', 'closure-size', 'local-cache'),
      'ares:closure-size': task('ares', 'closure-size', 'failure'),
      'ares:build': task('ares', 'build', 'success'),
      'db:closure-size': task('db', 'closure-size', 'skipped'),
    },
  } as unknown as PostTasksExecutionContext;

  it('reads the closure.json of each closure-size task and renders one table with a total', () => {
    const rows = closureSizeRows(undefined, context);
    expect(rows.map((r) => [r.host, r.status])).toEqual([
      ['ares', 'failure'],
      ['db', 'skipped'],
      ['web1', 'local-cache'],
    ]);
    expect(renderFleetTable(rows).split('\n')).toEqual([
      'host   status    closure  paths  change              packages ↑↓~+-',
      '-----  -------  --------  -----  ------------------  --------------',
      'ares   FAILED   10.0 MiB      3  +5.0 MiB (+100.0%)  ↑0 ↓0 ~1 +1 -0',
      'db     skipped         -      -  -                   -',
      'web1   cached    2.0 MiB      3  no baseline         -',
      'total           12.0 MiB',
      'packages ↑↓~+-: how many ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed since the baseline',
    ]);
  });

  it('adds a nixpkgs column when the hosts follow different branches, read from host.json', () => {
    mkdirSync(join(root, 'hosts/web1'), { recursive: true });
    writeFileSync(join(root, 'hosts/web1/host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux', nixpkgs: 'stable' }));
    mkdirSync(join(root, 'hosts/ares'), { recursive: true });
    writeFileSync(join(root, 'hosts/ares/host.json'), JSON.stringify({ type: 'laptop', system: 'x86_64-linux' }));
    try {
      const rows = closureSizeRows(undefined, context);
      expect(rows.map((r) => [r.host, r.nixpkgs])).toEqual([['ares', 'unstable'], ['db', undefined], ['web1', 'stable']]);
      expect(renderFleetTable(rows).split('\n')).toEqual([
        'host   nixpkgs   status    closure  paths  change              packages ↑↓~+-',
        '-----  --------  -------  --------  -----  ------------------  --------------',
        'ares   unstable  FAILED   10.0 MiB      3  +5.0 MiB (+100.0%)  ↑0 ↓0 ~1 +1 -0',
        'db     ?         skipped         -      -  -                   -',
        'web1   stable    cached    2.0 MiB      3  no baseline         -',
        'total                     12.0 MiB',
        'packages ↑↓~+-: how many ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed since the baseline',
      ]);
    } finally {
      rmSync(join(root, 'hosts'), { recursive: true, force: true });
    }
  });

  it('writes the table into $GITHUB_STEP_SUMMARY on GitHub Actions, and nowhere else', () => {
    const file = join(root, 'step-summary.md');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const before = process.env.GITHUB_STEP_SUMMARY;
    try {
      delete process.env.GITHUB_STEP_SUMMARY;
      closureSizeSummary(undefined, context);
      expect(existsSync(file)).toBe(false);
      process.env.GITHUB_STEP_SUMMARY = file;
      closureSizeSummary(undefined, context);
      closureSizeSummary(undefined, context);
      const text = readFileSync(file, 'utf-8');
      expect(text.split('### Closure sizes (3 hosts)')).toHaveLength(3);
      expect(text).toContain('```\nhost   status    closure');
      expect(appendStepSummary('x', 'y', {})).toBe(false);
    } finally {
      if (before === undefined) delete process.env.GITHUB_STEP_SUMMARY;
      else process.env.GITHUB_STEP_SUMMARY = before;
      log.mockRestore();
    }
  });
});
