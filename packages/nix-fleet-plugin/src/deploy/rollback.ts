// Rolling back after a failed activation, confirmation or health check.
//
// The target returns to exactly what ran before this deploy (recorded under the lock; see
// PRELUDE in remote-scripts.ts). The deployer rolls back itself when it can reach the target.
// When it cannot, the watchdog on the target does it; the deployer keeps trying to connect
// until a little after the watchdog's deadline so it can report what really happened, and
// every report names the system the host runs afterwards, read back from the host.
import type { DeployPlan } from './options';
import { STOP_WAIT_SECONDS } from './remote-functions';
import { rollbackArgv, type DeployContext } from './remote-scripts';
import type { DeployResult } from './result';
import { decisionOf } from './confirm';
import { retryUntil } from './retry';
import { parseKeyValues, type DeployStepError } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

export type RollbackOutcome = Pick<DeployResult, 'status' | 'rolledBackBy' | 'message' | 'running'>;

/** The system a rollback must leave running: the one that ran before (the profile's, for boot). */
export function rollbackTarget(ctx: DeployContext): string {
  return ctx.mode === 'boot' ? ctx.previousProfile : ctx.previousCurrent;
}

/**
 * Judges a finished rollback by what the host runs now, not by what the script said: a host
 * that does not run the system from before the deploy is a failed deploy.
 */
export function rollbackOutcome(ctx: DeployContext, succeeded: boolean, running: string, who: string): RollbackOutcome {
  const want = rollbackTarget(ctx);
  // A rollback on demand (ctx.switchGeneration) is undone the same way; say which it was.
  const run = ctx.switchGeneration ? 'rollback' : 'deploy';
  const runs = ctx.mode === 'boot' ? `its profile is ${want}` : `it runs ${running || 'an unknown system'}`;
  if (!succeeded) return { status: 'failed', running, message: `${who} could not roll back; ${runs}.` };
  if (ctx.mode !== 'boot' && running !== want) {
    return { status: 'failed', running, message: `${who} rolled back, but the host runs ${running || 'an unknown system'}, not ${want} as before the ${run}.` };
  }
  return { status: 'rolled-back', running, message: `${who} rolled back to ${want}, the system that ran before this ${run}.` };
}

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
  const attempt = async (): Promise<RollbackOutcome> => {
    try {
      // Stopping a timed-out activation comes first (STOP_WAIT_SECONDS), then the old system's switch.
      const r = await t.exec(rollbackArgv(ctx), { fresh: true, timeoutMs: (plan.activationTimeout + STOP_WAIT_SECONDS + 10) * 1000 });
      const out = `${r.stdout}${r.stderr}`.trim();
      if (out) log(out.replace(/^/gm, '  | '));
      const outcome = rollbackOutcome(ctx, true, parseKeyValues(r.stdout).running ?? '', 'The deployer');
      return { ...outcome, rolledBackBy: 'deployer', message: `${cause}\n${outcome.message}` };
    } catch (e) {
      const decision = decisionOf(e);
      if (!decision) throw e;
      const by = decision.by === 'watchdog' ? 'watchdog' : 'deployer';
      const outcome = rollbackOutcome(ctx, decision.result === 'rolled-back', decision.running, by === 'watchdog' ? "The target's watchdog, on its own," : 'The deployer');
      return { ...outcome, rolledBackBy: by, message: `${cause}\n${outcome.message}` };
    }
  };
  let last: string;
  try {
    return await retryUntil(deadline, attempt, { retryable: isConnectionFailure });
  } catch (e) {
    if (!isConnectionFailure(e)) return { status: 'failed', message: `${cause}\nRollback failed too: ${outputOf(e)}` };
    last = outputOf(e);
  }
  const watchdog = watchdogAt
    ? `The target's watchdog rolls back on its own ${plan.confirmTimeout}s after activation; it could not be verified.`
    : `No watchdog was armed: return the host by hand to ${rollbackTarget(ctx) || 'its previous system'} (nix-env -p ${ctx.profile} --switch-generation N, then its bin/switch-to-configuration).`;
  return { status: 'failed', message: `${cause}\n${plan.target.host} is unreachable (${last}). ${watchdog}` };
}
