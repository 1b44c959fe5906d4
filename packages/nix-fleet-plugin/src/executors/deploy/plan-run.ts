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
import { run } from '../../process/run';

/** The new system's closure, from the local store (verifiedRecord realised it); or a derivation's own closure of .drv files. */
export async function localClosure(root: string, host: string, outPath: string): Promise<ClosureRecord> {
  // Nix reads a .drv argument as its outputs unless told it means the derivation.
  const args = outPath.endsWith('.drv') ? ['path-info', '--derivation', ...nixPathInfoClosureArgs(outPath).slice(1)] : nixPathInfoClosureArgs(outPath);
  const r = await run('nix', args, { cwd: root });
  return parsePathInfoJson(r.stdout, outPath, host);
}

/**
 * A host built on its target has no system here to measure: its plan sends the derivation's
 * closure (.drv files, what nix copy --derivation would send) and says that the package changes
 * and the closure size are known only after the build there.
 */
async function remotePlan(root: string, plan: DeployPlan, drvPath: string, outPath: string, log: (line: string) => void, t?: Target): Promise<PlanResult> {
  const drvs = await localClosure(root, plan.host, drvPath);
  const r = await planHost(plan, { ...drvs, outPath }, log, t);
  if (r.status !== 'changes') return { ...r, closureSize: 0, builtOnTarget: true };
  return { ...r, changes: [], counts: countChanges([]), growth: undefined, closureSize: 0, builtOnTarget: true };
}

/** Plans one host, prints and records it. An unreachable host is an outcome, not a failure. */
export async function planOne(root: string, plan: DeployPlan, outPath: string, log: (line: string) => void, t?: Target): Promise<PlanResult> {
  const result = plan.remoteBuild ? await remotePlan(root, plan, plan.remoteBuild.drvPath, outPath, log, t) : await planHost(plan, await localClosure(root, plan.host, outPath), log, t);
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
    const read = async (system: string) => parsePlanRead((await t.exec(planReadArgv(system), { input: '', timeoutMs: (plan.target.connectTimeout + 120) * 1000 })).stdout).running;
    // Built on the host (buildOn remote): the new closure is read there too.
    const next = plan.remoteBuild ? await read(outPath) : (await localClosure(root, plan.host, outPath)).paths;
    return countChanges(diffClosures(await read(previous), next));
  } catch {
    return undefined;
  }
}
