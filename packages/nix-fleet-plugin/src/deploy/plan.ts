// --mode=plan: what a deploy would change on one host, against what the host runs now.
//
// Read-only by construction: one ssh connection running PLAN_READ (no lock, no copy, no
// activation, no generation). The new closure is known here (nix path-info); the running one
// is listed on the host, so the package diff is closure-size's own (src/closure/diff.ts).
import { readJsonFile, writeJsonFile } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkedHostName } from '../constants';
import { diffClosures, type PackageChange } from '../closure/diff';
import type { ClosureRecord } from '../closure/path-info';
import { countChanges, type ChangeCounts } from '../closure/version';
import type { DeployPlan } from './options';
import { parsePlanRead, planReadArgv } from './plan-script';
import { DIST_DEPLOY } from './result';
import { isConnectionFailure, outputOf, SshHost, type Target } from './target';

/** unchanged: runs the new system; changes: would change; unreachable/failed: not planned. */
export type PlanStatus = 'unchanged' | 'changes' | 'unreachable' | 'failed';

export interface PlanResult {
  host: string;
  status: PlanStatus;
  outPath: string;
  /** The system the host runs now ('' when it runs none). */
  current?: string;
  changes: PackageChange[];
  counts: ChangeCounts;
  /** New closure size minus the running closure's size, in bytes. */
  growth?: number;
  closureSize: number;
  /** Store paths of the new closure the host lacks, and their NAR bytes: what nix copy sends. */
  copyPaths?: number;
  copyBytes?: number;
  message?: string;
  /** deployment.buildOn remote: to copy counts the derivations; packages and closure are known after the build there. */
  builtOnTarget?: boolean;
  durationMs: number;
  finishedAt: number;
}

export async function planHost(
  plan: DeployPlan,
  closure: ClosureRecord,
  log: (line: string) => void,
  t: Target = new SshHost(plan, log),
): Promise<PlanResult> {
  const started = Date.now();
  const finish = (r: Partial<PlanResult> & Pick<PlanResult, 'status'>): PlanResult => ({
    host: plan.host,
    outPath: closure.outPath,
    closureSize: closure.closureSize,
    changes: [],
    counts: countChanges([]),
    ...r,
    durationMs: Date.now() - started,
    finishedAt: Date.now(),
  });
  try {
    await t.checkHostKeys();
  } catch (e) {
    return finish({ status: 'failed', message: outputOf(e) });
  }
  let state;
  try {
    const input = closure.paths.map((p) => p.path).join('\n') + '\n';
    const r = await t.exec(planReadArgv(plan.currentSystemPath), { input, timeoutMs: (plan.target.connectTimeout + 300) * 1000 });
    state = parsePlanRead(r.stdout);
  } catch (e) {
    const unreachable = isConnectionFailure(e);
    const message = `${unreachable ? `cannot reach ${plan.target.host} over ssh` : `reading ${plan.target.host} failed`}: ${outputOf(e)}`;
    return finish({ status: unreachable ? 'unreachable' : 'failed', message });
  }
  const sizes = new Map(closure.paths.map((p) => [p.path, p.narSize]));
  const copyBytes = state.missing.reduce((sum, p) => sum + (sizes.get(p) ?? 0), 0);
  const base = { current: state.current, copyPaths: state.missing.length, copyBytes };
  if (state.current === closure.outPath) return finish({ status: 'unchanged', ...base, growth: 0 });
  const changes = diffClosures(state.running, closure.paths);
  const runningSize = state.running.reduce((sum, p) => sum + p.narSize, 0);
  return finish({ status: 'changes', ...base, changes, counts: countChanges(changes), growth: closure.closureSize - runningSize });
}

/** A host that could not be planned before any connection (bad options, no build). */
export function failedPlan(host: string, message: string): PlanResult {
  return { host, status: 'failed', outPath: '', closureSize: 0, changes: [], counts: countChanges([]), message, durationMs: 0, finishedAt: Date.now() };
}

export function planResultPath(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, DIST_DEPLOY, 'plans', `${checkedHostName(host)}.json`);
}

export function writePlanResult(workspaceRoot: string, result: PlanResult): void {
  writeJsonFile(planResultPath(workspaceRoot, result.host), result, { appendNewLine: true });
}

export function readPlanResult(workspaceRoot: string, host: string): PlanResult | undefined {
  const file = planResultPath(workspaceRoot, host);
  try {
    return existsSync(file) ? readJsonFile<PlanResult>(file) : undefined;
  } catch {
    return undefined;
  }
}
