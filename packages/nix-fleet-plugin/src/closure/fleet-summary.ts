// The fleet-wide table at the end of `nx run-many -t closure-size`, read from each closure.json.
import { readJsonFile, type PostTasksExecutionContext } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeOptions, type NixFleetPluginOptions } from '../graph/options';
import { reportPath } from './baseline';
import type { ClosureReport } from './report';
import { formatBytes, formatDelta, formatPercent } from './size';
import { renderTable } from '../summary/table';
import { CHANGE_LEGEND } from './change-codes';
import { countChanges, formatCounts } from './version';
import { plural, taskRows } from '../summary/task-rows';

export interface FleetRow {
  host: string;
  status: string;
  report?: ClosureReport;
}

export function closureSizeRows(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): FleetRow[] {
  const target = normalizeOptions(options).closureSizeTargetName;
  return taskRows(context, target, (host) => {
    const file = join(context.workspaceRoot, reportPath(host));
    return existsSync(file) ? readJsonFile<ClosureReport>(file) : undefined;
  }).map(({ host, status, data }) => ({ host, status, report: data }));
}

export function renderFleetTable(rows: FleetRow[]): string {
  const body = rows.map(({ host, status, report: r }) => {
    const label = status === 'success' ? 'ok' : status.includes('cache') ? 'cached' : status === 'failure' ? 'FAILED' : status;
    // A skipped or stopped task left whatever closure.json an earlier run wrote: show no figures.
    if (!r || status === 'skipped' || status === 'stopped') return [host, label, '-', '-', '-', '-'];
    const change = r.baseline && r.growth !== null ? `${formatDelta(r.growth)} (${formatPercent(r.growth, r.baseline.closureSize)})` : 'no baseline';
    const pkgs = r.baseline ? formatCounts(countChanges(r.changes)) : '-';
    return [host, label, formatBytes(r.closureSize), String(r.pathCount), change, pkgs];
  });
  const total = rows.reduce((sum, r) => sum + (r.report?.closureSize ?? 0), 0);
  body.push(['total', '', formatBytes(total), '', '', '']);
  return `${renderTable(['host', 'status', 'closure', 'paths', 'change', 'packages ↑↓~+-'], body, [2, 3])}\n${CHANGE_LEGEND} since the baseline`;
}

export function closureSizeSummary(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): void {
  const rows = closureSizeRows(options, context);
  // `nx run host:closure-size` already printed the one report; a table is for many hosts.
  const many = context.argv.some((a) => a === 'run-many' || a === 'affected');
  if (rows.length === 0 || (rows.length === 1 && !many)) return;
  console.log(`\nClosure sizes (${plural(rows.length, 'host')})\n${renderFleetTable(rows)}\n`);
}
