// What a person sees of a plan: one host's changes, and the fleet table with plan.json.
import { writeJsonFile, type PostTasksExecutionContext } from '@nx/devkit';
import { join } from 'node:path';
import { versionText } from '../closure/budget';
import { formatBytes, formatDelta } from '../closure/size';
import { directionOf, formatCounts } from '../closure/version';
import { CHANGE_CODE, CHANGE_KEY, CHANGE_LEGEND, changeList } from '../closure/change-codes';
import { withBranchColumn } from '../summary/branch-column';
import { renderTable } from '../summary/table';
import { plural } from '../summary/task-rows';
import type { PlanResult } from './plan';
import { DIST_DEPLOY } from './result';

/** One host's plan, printed by its task. */
export function renderPlan(r: PlanResult): string {
  if (r.status === 'unreachable' || r.status === 'failed') return `${r.host}: not planned (${r.status}): ${r.message}`;
  const copy = `${plural(r.copyPaths ?? 0, 'path')}, ${formatBytes(r.copyBytes ?? 0)}`;
  if (r.status === 'unchanged') return `${r.host}: unchanged, already running ${r.outPath}; nothing to copy`;
  if (r.builtOnTarget) {
    return [
      `${r.host}: a deploy would change ${r.current || '(no system yet)'}`,
      `  to ${r.outPath}, built on the host itself (deployment.buildOn: remote)`,
      `  packages  known after the build on the host (the system is never built here)`,
      `  closure   known after the build on the host`,
      `  to copy   ${plural(r.copyPaths ?? 0, 'derivation path')}, ${formatBytes(r.copyBytes ?? 0)} (nix copy --derivation; the host builds or fetches the rest)`,
    ].join('\n');
  }
  const out = [
    `${r.host}: a deploy would change ${r.current || '(no system yet)'}`,
    `  to ${r.outPath}`,
    `  packages  ${formatCounts(r.counts)}`,
    `  closure   ${formatDelta(r.growth ?? 0)} (${formatBytes(r.closureSize)} in all)`,
    `  to copy   ${copy}`,
  ];
  if (r.changes.length > 0) {
    const rows = r.changes.map((c) => [CHANGE_CODE[directionOf(c)], c.pname, versionText(c), formatDelta(c.sizeDelta)]);
    out.push('', renderTable(['', 'package', 'version', 'size'], rows, [3]), `  ${CHANGE_KEY}`);
  }
  return out.join('\n');
}

export interface PlanRow {
  host: string;
  /** The plan's status, or Nx's for a task that wrote no plan in this run. */
  status: string;
  result?: PlanResult;
  /** The step that failed before the plan could run (eval, build), and its first error line. */
  step?: string;
  reason?: string;
  /** host.json "nixpkgs" of the host, for the nixpkgs column of a mixed fleet. */
  nixpkgs?: string;
}

export function renderPlanTable(rows: PlanRow[]): string {
  const body = rows.map(({ host, status, result: r, step, reason }) => {
    const planned = r && (r.status === 'changes' || r.status === 'unchanged');
    if (step) return [host, `failed at ${step}`, '-', '-', '-', (reason ?? '').slice(0, 100)];
    if (!planned) return [host, status, '-', '-', '-', (r?.message ?? '').split('\n')[0].slice(0, 100)];
    if (r.builtOnTarget && r.status === 'changes') return [host, status, '?', '?', `${formatBytes(r.copyBytes ?? 0)} (${r.copyPaths} drv)`, 'builds on the host: packages and closure known after the build there'];
    return [host, status, formatCounts(r.counts), formatDelta(r.growth ?? 0), `${formatBytes(r.copyBytes ?? 0)} (${r.copyPaths})`, changeList(r.changes)];
  });
  const table = { headers: ['host', 'plan', 'packages ↑↓~+-', 'closure', 'to copy', 'changes / detail'], body, rightAligned: [3] };
  const { headers, body: cells, rightAligned } = withBranchColumn(table, rows.map((r) => r.nixpkgs));
  return `${renderTable(headers, cells, rightAligned)}\n${CHANGE_LEGEND}`;
}

export function planCounts(rows: PlanRow[]): Record<string, number> {
  const counts: Record<string, number> = { changes: 0, unchanged: 0, unreachable: 0, failed: 0 };
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Prints the fleet table and writes dist/deploy/plan.json. */
export function reportPlans(rows: PlanRow[], context: Pick<PostTasksExecutionContext, 'workspaceRoot' | 'startTime'>): void {
  const counts = planCounts(rows);
  const copyBytes = rows.reduce((sum, r) => sum + (r.result?.copyBytes ?? 0), 0);
  writeJsonFile(join(context.workspaceRoot, DIST_DEPLOY, 'plan.json'), { startedAt: context.startTime, counts, copyBytes, hosts: rows }, { appendNewLine: true });
  const line = Object.entries(counts)
    .map(([k, n]) => `${n} ${k === 'changes' ? 'would change' : k}`)
    .join(', ');
  console.log(`\nPlan (${plural(rows.length, 'host')}): ${line}; ${formatBytes(copyBytes)} to copy\n${renderPlanTable(rows)}\n(JSON: ${DIST_DEPLOY}/plan.json)\n`);
}
