// The closure of a host built on its target (deployment.buildOn remote): the system exists only
// there, so closure-size reads it there, with the plan's read-only script over one ssh
// connection (no lock, nothing written), after the deploy built it.
import type { HostJson } from '../host/host-json';
import { targetFor } from '../deploy/local-target';
import { deployPlan } from '../deploy/options';
import { parsePlanRead, planReadArgv } from '../deploy/plan-script';
import type { ClosureRecord } from '../closure/path-info';

export async function closureOnTarget(host: string, hostJson: HostJson, outPath: string): Promise<ClosureRecord & { measuredOn: string }> {
  const plan = deployPlan(host, hostJson, {});
  const t = targetFor(plan, () => undefined);
  await t.checkHostKeys();
  const r = await t.exec(planReadArgv(outPath), { input: `${outPath}\n`, timeoutMs: (plan.target.connectTimeout + 120) * 1000 });
  const state = parsePlanRead(r.stdout);
  if (state.missing.includes(outPath) || state.current !== outPath) {
    throw new Error(
      `${host} is built on its target (deployment.buildOn: remote), and ${plan.target.host} does not hold ${outPath} yet: ` +
        `there is no closure to measure. Deploy it first (nx run ${host}:deploy); closure-size then reads the closure from the host.`,
    );
  }
  const closureSize = state.running.reduce((sum, p) => sum + p.narSize, 0);
  return { host, outPath, closureSize, pathCount: state.running.length, paths: state.running, measuredOn: plan.target.host };
}
