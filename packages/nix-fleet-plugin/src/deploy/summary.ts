// The fleet table at the end of `nx run-many -t deploy`, and dist/deploy/summary.json.
import { writeJsonFile, type PostTasksExecutionContext } from '@nx/devkit';
import { join } from 'node:path';
import { renderTable } from '../summary/table';
import { plural, taskRows } from '../summary/task-rows';
import { normalizeOptions, type NixFleetPluginOptions } from '../graph/options';
import { DIST_DEPLOY, readResult, type DeployResult } from './result';

export interface DeployRow {
  host: string;
  /** deployed, unchanged, dry-activated, rolled-back, failed, or Nx's status for a task that never ran. */
  status: string;
  result?: DeployResult;
}

export function deployRows(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): DeployRow[] {
  const target = normalizeOptions(options).deployTargetName;
  return taskRows(context, target, (host) => {
    // A result file from an earlier run says nothing about this one.
    const result = readResult(context.workspaceRoot, host);
    return result && result.finishedAt >= context.startTime ? result : undefined;
  }).map(({ host, status, data }) => ({ host, status: data?.status ?? (status === 'failure' ? 'failed' : status), result: data }));
}

export function countByStatus(rows: DeployRow[]): Record<string, number> {
  const counts: Record<string, number> = { deployed: 0, unchanged: 0, 'rolled-back': 0, failed: 0 };
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

export function renderDeployTable(rows: DeployRow[]): string {
  const body = rows.map(({ host, status, result: r }) => {
    const label = status === 'rolled-back' ? `rolled back${r?.rolledBackBy === 'watchdog' ? ' (watchdog)' : ''}` : status;
    const detail = r?.message ? r.message.split('\n')[0].slice(0, 100) : '';
    const secs = r ? `${(r.durationMs / 1000).toFixed(1)}s` : '-';
    return [host, label, r?.mode ?? '-', r?.copied ? 'yes' : 'no', r?.step ?? '', secs, detail];
  });
  return renderTable(['host', 'result', 'mode', 'copied', 'failed step', 'time', 'detail'], body, [5]);
}

export function deploySummary(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): void {
  const rows = deployRows(options, context);
  if (rows.length === 0) return;
  const counts = countByStatus(rows);
  const line = Object.entries(counts)
    .map(([k, n]) => `${n} ${k.replace('-', ' ')}`)
    .join(', ');
  const dir = join(context.workspaceRoot, DIST_DEPLOY);
  writeJsonFile(join(dir, 'summary.json'), { startedAt: context.startTime, counts, hosts: rows }, { appendNewLine: true });
  console.log(`\nDeploy (${plural(rows.length, 'host')}): ${line}\n${renderDeployTable(rows)}\n(JSON: ${DIST_DEPLOY}/summary.json)\n`);
}
