// Confirmation: a NEW ssh connection must work after activation, then the deployer claims
// the decision on the target (which disarms the watchdog) over another fresh connection.
import { CommandError } from '../process/run';
import type { DeployPlan } from './options';
import { commitArgv, probeArgv, type DeployContext } from './remote-scripts';
import { retryUntil } from './retry';
import { DeployStepError, parseKeyValues } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

export const DECIDED_EXIT = 76;

/** What the target's watchdog decided when it got there before the deployer. */
export interface WatchdogDecision {
  by: string;
  result: string;
  /** The system the host ran when the decision was read. */
  running: string;
}

export function decisionOf(e: unknown): WatchdogDecision | undefined {
  if (!(e instanceof CommandError) || e.code !== DECIDED_EXIT) return undefined;
  const kv = parseKeyValues(e.stdout);
  return { by: kv['decided-by'] || 'unknown', result: kv.result || 'unknown', running: kv.running ?? '' };
}

const lostConnection = (plan: DeployPlan, e: unknown) =>
  new DeployStepError('confirm', `no new ssh connection to ${plan.target.host} within ${plan.confirmTimeout}s after activation: ${outputOf(e)}`, true);

/** Retries a fresh connection until it works or the deadline passes. */
export async function freshConnection(t: Target, plan: DeployPlan, deadline: number): Promise<string> {
  try {
    return await retryUntil(
      deadline,
      async () => (await t.exec(probeArgv(plan.currentSystemPath), { fresh: true, timeoutMs: Math.max(deadline - Date.now(), 1000) })).stdout.trim(),
      { retryable: isConnectionFailure },
    );
  } catch (e) {
    if (!isConnectionFailure(e)) throw new DeployStepError('confirm', `the confirmation command failed on ${plan.host}: ${outputOf(e)}`);
    throw lostConnection(plan, e);
  }
}

/**
 * Claims the decision over a fresh connection, retried until `deadline` while the host is
 * unreachable; returns the watchdog's decision instead if it came first.
 */
export async function commit(t: Target, plan: DeployPlan, ctx: DeployContext, deadline: number): Promise<{ running: string } | WatchdogDecision> {
  const attempt = async () => {
    try {
      const r = await t.exec(commitArgv(ctx), { fresh: true, timeoutMs: Math.max(deadline - Date.now(), (plan.target.connectTimeout + 5) * 1000) });
      return { running: parseKeyValues(r.stdout).running ?? '' };
    } catch (e) {
      const decision = decisionOf(e);
      if (decision) return decision;
      throw e;
    }
  };
  try {
    return await retryUntil(deadline, attempt, { retryable: isConnectionFailure });
  } catch (e) {
    if (!isConnectionFailure(e)) throw new DeployStepError('confirm', `could not record the confirmation on ${plan.host}: ${outputOf(e)}`);
    throw lostConnection(plan, e);
  }
}
