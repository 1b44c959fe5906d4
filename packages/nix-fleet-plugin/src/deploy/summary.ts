// The fleet table at the end of `nx run-many -t deploy`, and dist/deploy/summary.json.
import { writeJsonFile, type PostTasksExecutionContext } from '@nx/devkit';
import { join } from 'node:path';
import { hostBranch } from '../summary/branch-column';
import { renderTable } from '../summary/table';
import { plural, taskRows } from '../summary/task-rows';
import { formatCounts } from '../closure/version';
import { CHANGE_LEGEND } from '../closure/change-codes';
import { normalizeOptions, type NixFleetPluginOptions } from '../graph/options';
import { readWaves, taskAddedForWave, type WaveIndex } from '../graph/waves';
import { hostFileOf } from '../host/resolve-host';
import { readPlanResult } from './plan';
import { reportPlans, type PlanRow } from './plan-report';
import { readRunTasks } from './run-tasks';
import { upstreamFailure } from '../summary/upstream-failure';
import { DIST_DEPLOY, readResult, type DeployResult } from './result';
import { readBatchRecord, unfinishedReason } from './batch-record';

export interface DeployRow {
  host: string;
  /** deployed, unchanged, dry-activated, rolled-back, failed, or Nx's status for a task that never ran. */
  status: string;
  result?: DeployResult;
  /** Why a task did not start (a lower wave failed, or its eval or build). */
  reason?: string;
  /** The step that failed when the deploy itself never ran (eval, build). */
  step?: string;
}

/** Deploy tasks of this run that stand for a selected host (not those Nx added for wave order). */
function selectedHosts(context: PostTasksExecutionContext, target: string): Set<string> {
  const tasks = Object.values(context.taskResults).map((r) => r.task);
  return new Set(tasks.filter((t) => t.target.target === target && !taskAddedForWave(t)).map((t) => t.target.project));
}

/** Hosts deployed in this run, and hosts planned in this run (--mode=plan), each with its result. */
export function deployAndPlanRows(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): { deploys: DeployRow[]; plans: PlanRow[] } {
  const target = normalizeOptions(options).deployTargetName;
  const selected = selectedHosts(context, target);
  // A result file from an earlier run says nothing about this one.
  const fresh = <T extends { finishedAt: number }>(r: T | undefined) => (r && r.finishedAt >= context.startTime ? r : undefined);
  const read = (host: string) => ({ deploy: fresh(readResult(context.workspaceRoot, host)), plan: fresh(readPlanResult(context.workspaceRoot, host)) });
  const ran = taskRows(context, target, read).filter((r) => selected.has(r.host));
  // Tasks Nx never started (a lower wave failed) are missing from its results.
  const notStarted = readRunTasks(context.workspaceRoot, context.startTime)
    .filter((host) => !ran.some((r) => r.host === host))
    .map((host) => ({ host, status: 'skipped', data: read(host) }));
  const rows = [...ran, ...notStarted].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  const nxStatus = (status: string) => (status === 'failure' ? 'failed' : status);
  // A host whose eval or build failed never started its deploy: Nx says "skipped".
  const before = (host: string, result: unknown) => (result ? undefined : upstreamFailure(options, context, host));
  // A run is a plan run when any host wrote a plan (or asked for one); hosts that wrote nothing keep Nx's status.
  if (rows.some((r) => r.data.plan) || context.argv.some((a, i) => a === '--mode=plan' || (a === '--mode' && context.argv[i + 1] === 'plan'))) {
    const plans = rows.map(({ host, status, data }) => {
      const failed = before(host, data.plan);
      const nixpkgs = hostBranch(context.workspaceRoot, host);
      return failed ? { host, status: 'failed', step: failed.step, reason: failed.message, nixpkgs } : { host, status: data.plan?.status ?? nxStatus(status), result: data.plan, nixpkgs };
    });
    return { deploys: [], plans };
  }
  // A batch that died left its unfinished hosts without a result: say so, per host.
  const batch = readBatchRecord(context.workspaceRoot, context.startTime);
  const unfinished = (host: string, status: string, result: unknown) => (!result && batch?.hosts.includes(host) && status !== 'skipped' ? unfinishedReason(batch) : undefined);
  const deploys = rows.map(({ host, status, data }) => {
    const failed = before(host, data.deploy);
    if (failed) return { host, status: 'failed', step: failed.step, reason: failed.message };
    const reason = unfinished(host, status, data.deploy);
    return reason ? { host, status: 'failed', step: 'interrupted', reason } : { host, status: data.deploy?.status ?? nxStatus(status), result: data.deploy };
  });
  return { deploys, plans: [] };
}

export function deployRows(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): DeployRow[] {
  return deployAndPlanRows(options, context).deploys;
}

export function countByStatus(rows: DeployRow[]): Record<string, number> {
  const counts: Record<string, number> = { deployed: 0, unchanged: 0, 'rolled-back': 0, failed: 0 };
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Why Nx did not start a host: a host of a lower wave did not deploy. */
export function skipReason(host: string, rows: DeployRow[], waves: WaveIndex): string | undefined {
  const mine = waves.get(host) ?? 0;
  const bad = rows.filter((r) => (waves.get(r.host) ?? 0) < mine && !['deployed', 'unchanged', 'dry-activated', 'skipped'].includes(r.status));
  if (bad.length === 0) return undefined;
  return `not started: wave ${mine} waits for lower waves, and ${bad.map((r) => `${r.host} (wave ${waves.get(r.host) ?? 0}) ${r.status.replace('-', ' ')}`).join(', ')}`;
}

export function renderDeployTable(rows: DeployRow[]): string {
  const body = rows.map(({ host, status, result: r, reason, step }) => {
    const label = status === 'rolled-back' ? `rolled back${r?.rolledBackBy === 'watchdog' ? ' (watchdog)' : ''}` : status;
    const detail = r?.message ? r.message.split('\n')[0].slice(0, 100) : (reason ?? '');
    const secs = r ? `${(r.durationMs / 1000).toFixed(1)}s` : '-';
    const packages = r?.packages ? formatCounts(r.packages) : '';
    return [host, label, r?.mode ?? '-', r?.copied ? 'yes' : 'no', packages, r?.step ?? step ?? '', secs, detail];
  });
  const table = renderTable(['host', 'result', 'mode', 'copied', 'packages ↑↓~+-', 'failed step', 'time', 'detail'], body, [6]);
  return [table, CHANGE_LEGEND, ...wouldDoSection(rows)].join('\n');
}

/** dry-activate's whole point: what each host would start, stop, restart or reload. */
function wouldDoSection(rows: DeployRow[]): string[] {
  const dry = rows.filter((r) => r.result?.status === 'dry-activated');
  if (dry.length === 0) return [];
  const width = Math.max(...dry.map((r) => r.host.length));
  const lines = dry.flatMap(({ host, result }) => {
    const said = result?.wouldDo?.length ? result.wouldDo : ['(nothing: no unit would start, stop, restart or reload)'];
    return said.map((l, i) => `  ${(i === 0 ? host : '').padEnd(width)}  ${l}`);
  });
  return ['', 'dry-activate: what each host would do', ...lines];
}

export function deploySummary(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): void {
  const { deploys, plans } = deployAndPlanRows(options, context);
  if (plans.length > 0) reportPlans(plans, context);
  if (deploys.length === 0) return;
  const waves = readWaves(context.workspaceRoot, deploys.map((r) => hostFileOf(r.host)));
  const rows = deploys.map((r) => (r.status === 'skipped' && !r.reason ? { ...r, reason: skipReason(r.host, deploys, waves) } : r));
  const counts = countByStatus(rows);
  const line = Object.entries(counts)
    .map(([k, n]) => `${n} ${k.replace('-', ' ')}`)
    .join(', ');
  const dir = join(context.workspaceRoot, DIST_DEPLOY);
  writeJsonFile(join(dir, 'summary.json'), { startedAt: context.startTime, counts, hosts: rows }, { appendNewLine: true });
  console.log(`\nDeploy (${plural(rows.length, 'host')}): ${line}\n${renderDeployTable(rows)}\n(JSON: ${DIST_DEPLOY}/summary.json)\n`);
}
