// The deploy executor's read-only paths: --mode=plan for one host, and the package counts of a
// finished deploy (the previous system's closure is still in the host's store).
import { diffClosures } from '../../closure/diff';
import { parsePathInfoJson, type ClosureRecord } from '../../closure/path-info';
import { countChanges, type ChangeCounts } from '../../closure/version';
import type { DeployPlan } from '../../deploy/options';
import { planHost, writePlanResult, type PlanResult } from '../../deploy/plan';
import { renderPlan } from '../../deploy/plan-report';
import { parsePlanRead, planReadArgv } from '../../deploy/plan-script';
import { SshHost, type Target } from '../../deploy/target';
import { nixPathInfoClosureArgs } from '../../nix/nix-argv';
import { run } from '../../nix/run';

/** The new system's closure, from the local store (verifiedRecord realised it). */
export async function localClosure(root: string, host: string, outPath: string): Promise<ClosureRecord> {
  const r = await run('nix', nixPathInfoClosureArgs(outPath), { cwd: root });
  return parsePathInfoJson(r.stdout, outPath, host);
}

/** Plans one host, prints and records it. An unreachable host is an outcome, not a failure. */
export async function planOne(root: string, plan: DeployPlan, outPath: string, log: (line: string) => void, t?: Target): Promise<PlanResult> {
  const result = await planHost(plan, await localClosure(root, plan.host, outPath), log, t);
  writePlanResult(root, result);
  log(renderPlan(result));
  return result;
}

/** Package counts from `previous` to `outPath`; undefined when the host cannot tell (best effort). */
export async function packageCounts(
  root: string,
  plan: DeployPlan,
  previous: string | undefined,
  outPath: string,
  t: Target = new SshHost(plan, () => undefined),
): Promise<ChangeCounts | undefined> {
  if (!previous) return undefined;
  try {
    const closure = await localClosure(root, plan.host, outPath);
    const r = await t.exec(planReadArgv(previous), { input: '', timeoutMs: (plan.target.connectTimeout + 120) * 1000 });
    return countChanges(diffClosures(parsePlanRead(r.stdout).running, closure.paths));
  } catch {
    return undefined;
  }
}
