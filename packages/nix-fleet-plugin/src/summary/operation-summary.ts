// One fleet table per day-two operation (rollback, generations, exec): a row per task of the
// run from each host's dist/<operation>/hosts/<host>.json, counts, and dist/<operation>/summary.json.
import { writeJsonFile, type PostTasksExecutionContext } from '@nx/devkit';
import { join } from 'node:path';
import { normalizeOptions, type NixFleetPluginOptions, type NormalizedPluginOptions } from '../graph/options';
import type { FleetSummary } from '../post-tasks';
import { readHostResult } from './host-results';
import { renderTable } from './table';
import { plural, taskRows } from './task-rows';

export interface OperationTable<R> {
  /** "Rollback": the table's title. */
  title: string;
  /** "dist/rollback" */
  dist: string;
  targetName: (o: NormalizedPluginOptions) => string;
  /** The row's status from the host's result (Nx's own status when there is none). */
  status: (r: R) => string;
  headers: string[];
  cells: (host: string, status: string, r: R | undefined) => string[];
  rightAligned?: number[];
  /** Text printed above the table, e.g. every host's output (Nx hides successful tasks' output in run-many). */
  preamble?: (rows: Array<OperationRow<R>>) => string;
}

export interface OperationRow<R> {
  host: string;
  status: string;
  result?: R;
}

export function operationRows<R extends { finishedAt: number }>(spec: OperationTable<R>, options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): Array<OperationRow<R>> {
  return taskRows(context, spec.targetName(normalizeOptions(options)), (host) => {
    // A result file from an earlier run says nothing about this one.
    const r = readHostResult<R>(context.workspaceRoot, spec.dist, host);
    return r && r.finishedAt >= context.startTime ? r : undefined;
  }).map(({ host, status, data }) => ({ host, status: data ? spec.status(data) : status === 'failure' ? 'failed' : status, result: data }));
}

export function countRows(rows: Array<{ status: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

export function renderOperation<R>(spec: OperationTable<R>, rows: Array<OperationRow<R>>): string {
  const line = Object.entries(countRows(rows))
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const table = renderTable(spec.headers, rows.map((r) => spec.cells(r.host, r.status, r.result)), spec.rightAligned);
  const preamble = spec.preamble?.(rows);
  return `${preamble ? `${preamble}\n\n` : ''}${spec.title} (${plural(rows.length, 'host')}): ${line}\n${table}`;
}

export function operationSummary<R extends { finishedAt: number }>(spec: OperationTable<R>): FleetSummary {
  return (options, context) => {
    const rows = operationRows(spec, options, context);
    if (rows.length === 0) return;
    const counts = countRows(rows);
    writeJsonFile(join(context.workspaceRoot, spec.dist, 'summary.json'), { startedAt: context.startTime, counts, hosts: rows }, { appendNewLine: true });
    console.log(`\n${renderOperation(spec, rows)}\n(JSON: ${spec.dist}/summary.json)\n`);
  };
}

/** The first line of a message, cut for a table cell. */
export const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`);
