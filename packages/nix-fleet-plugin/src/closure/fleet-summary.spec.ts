import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostTasksExecutionContext } from '@nx/devkit';
import { closureSizeRows, renderFleetTable } from './fleet-summary';

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
});
