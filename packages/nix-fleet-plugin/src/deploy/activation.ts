// Activation: arm the target's watchdog, set the profile, run switch-to-configuration.
import type { DeployPlan } from './options';
import { activateArgv, type DeployContext } from './remote-scripts';
import { DeployStepError } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

export async function activate(t: Target, plan: DeployPlan, ctx: DeployContext, log: (line: string) => void): Promise<string> {
  try {
    const r = await t.exec(activateArgv(ctx), { timeoutMs: plan.activationTimeout * 1000 });
    const out = `${r.stdout}${r.stderr}`.trim();
    if (out) log(out.replace(/^/gm, '  | '));
    return out;
  } catch (e) {
    const lost = isConnectionFailure(e);
    const why = lost ? `the connection was lost during switch-to-configuration ${plan.mode}: ${outputOf(e)}` : `switch-to-configuration ${plan.mode} failed: ${outputOf(e)}`;
    throw new DeployStepError('activation', why, lost);
  }
}
