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
import { appendStepSummary } from '../summary/step-summary';
import { plural, taskRows } from '../summary/task-rows';
import { hostBranch, withBranchColumn } from '../summary/branch-column';

export interface FleetRow {
  host: string;
  status: string;
  report?: ClosureReport;
  /** host.json "nixpkgs" (unstable when absent); undefined when host.json does not load. */
  nixpkgs?: string;
}


export function closureSizeRows(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): FleetRow[] {
  const target = normalizeOptions(options).closureSizeTargetName;
  return taskRows(context, target, (host) => {
    const file = join(context.workspaceRoot, reportPath(host));
    return existsSync(file) ? readJsonFile<ClosureReport>(file) : undefined;
  }).map(({ host, status, data }) => ({ host, status, report: data, nixpkgs: hostBranch(context.workspaceRoot, host) }));
}

export function renderFleetTable(rows: FleetRow[]): string {
  const total = rows.reduce((sum, r) => sum + (r.report?.closureSize ?? 0), 0);
  const body = [...rows.map(cellsOf), ['total', '', formatBytes(total), '', '', '']];
  const table = { headers: ['host', 'status', 'closure', 'paths', 'change', 'packages ↑↓~+-'], body, rightAligned: [2, 3] };
  const { headers, body: cells, rightAligned } = withBranchColumn(table, [...rows.map((r) => r.nixpkgs), null]);
  return `${renderTable(headers, cells, rightAligned)}\n${CHANGE_LEGEND} since the baseline`;
}

function cellsOf({ host, status, report: r }: FleetRow): string[] {
  const label = status === 'success' ? 'ok' : status.includes('cache') ? 'cached' : status === 'failure' ? 'FAILED' : status;
  // A skipped or stopped task left whatever closure.json an earlier run wrote: show no figures.
  if (!r || status === 'skipped' || status === 'stopped') return [host, label, '-', '-', '-', '-'];
  const change = r.baseline && r.growth !== null ? `${formatDelta(r.growth)} (${formatPercent(r.growth, r.baseline.closureSize)})` : 'no baseline';
  const pkgs = r.baseline ? formatCounts(countChanges(r.changes)) : '-';
  return [host, label, formatBytes(r.closureSize), String(r.pathCount), change, pkgs];
}

export function closureSizeSummary(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): void {
  const rows = closureSizeRows(options, context);
  // `nx run host:closure-size` already printed the one report; a table is for many hosts.
  const many = context.argv.some((a) => a === 'run-many' || a === 'affected');
  if (rows.length === 0 || (rows.length === 1 && !many)) return;
  const title = `Closure sizes (${plural(rows.length, 'host')})`;
  const table = renderFleetTable(rows);
  console.log(`\n${title}\n${table}\n`);
  appendStepSummary(title, table);
}
