// Rolling back after a failed activation, confirmation or health check.
//
// The deployer rolls back itself when it can reach the target. When it cannot, the
// watchdog on the target does it; the deployer keeps trying to connect until a little
// after the watchdog's deadline so it can report what really happened.
import type { DeployPlan } from './options';
import { rollbackArgv, type DeployContext } from './remote-scripts';
import type { DeployResult } from './result';
import { decisionOf } from './confirm';
import { sleep, type DeployStepError } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

export type RollbackOutcome = Pick<DeployResult, 'status' | 'rolledBackBy' | 'message'>;

export async function rollBack(
  t: Target,
  plan: DeployPlan,
  ctx: DeployContext,
  failure: DeployStepError,
  watchdogAt: number | undefined,
  log: (line: string) => void,
): Promise<RollbackOutcome> {
  const cause = `${failure.step} failed: ${failure.message}`;
  const deadline = Math.max(Date.now(), watchdogAt ?? 0) + plan.confirmTimeout * 1000;
  log(`  rolling back ${plan.host} (${failure.step} failed)`);
  let last = '';
  for (;;) {
    try {
      const r = await t.exec(rollbackArgv(ctx), { fresh: true, timeoutMs: plan.activationTimeout * 1000 });
      const out = `${r.stdout}${r.stderr}`.trim();
      if (out) log(out.replace(/^/gm, '  | '));
      return { status: 'rolled-back', rolledBackBy: 'deployer', message: `${cause}\nRolled back to the previous generation.` };
    } catch (e) {
      const decision = decisionOf(e);
      if (decision) {
        const ok = decision.result === 'rolled-back';
        return {
          status: ok ? 'rolled-back' : 'failed',
          rolledBackBy: decision.by === 'watchdog' ? 'watchdog' : 'deployer',
          message: `${cause}\nThe target's watchdog ${ok ? 'rolled back to the previous generation on its own' : `could not roll back (${decision.result})`}.`,
        };
      }
      if (!isConnectionFailure(e)) {
        return { status: 'failed', message: `${cause}\nRollback failed too: ${outputOf(e)}` };
      }
      last = outputOf(e);
    }
    if (Date.now() + 1000 > deadline) break;
    await sleep(1000);
  }
  const watchdog = watchdogAt
    ? `The target's watchdog rolls back on its own ${plan.confirmTimeout}s after activation; it could not be verified.`
    : 'No watchdog was armed: roll the host back by hand (nix-env -p <profile> --rollback, then switch-to-configuration).';
  return { status: 'failed', message: `${cause}\n${plan.target.host} is unreachable (${last}). ${watchdog}` };
}
