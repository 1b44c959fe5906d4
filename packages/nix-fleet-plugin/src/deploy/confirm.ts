// Confirmation: a NEW ssh connection must work after activation, then the deployer claims
// the decision on the target (which disarms the watchdog) over another fresh connection.
import { CommandError } from '../nix/run';
import type { DeployPlan } from './options';
import { commitArgv, probeArgv, type DeployContext } from './remote-scripts';
import { DeployStepError, parseKeyValues, sleep } from './step-error';
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

/** Retries a fresh connection until it works or the deadline passes. */
export async function freshConnection(t: Target, plan: DeployPlan, deadline: number): Promise<string> {
  let last = '';
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      const r = await t.exec(probeArgv(plan.currentSystemPath), { fresh: true, timeoutMs: Math.max(remaining, 1000) });
      return r.stdout.trim();
    } catch (e) {
      if (!isConnectionFailure(e)) throw new DeployStepError('confirm', `the confirmation command failed on ${plan.host}: ${outputOf(e)}`);
      last = outputOf(e);
    }
    if (Date.now() + 1000 > deadline) {
      throw new DeployStepError('confirm', `no new ssh connection to ${plan.target.host} within ${plan.confirmTimeout}s after activation: ${last}`, true);
    }
    await sleep(1000);
  }
}

/**
 * Claims the decision over a fresh connection, retried until `deadline` while the host is
 * unreachable; returns the watchdog's decision instead if it came first.
 */
export async function commit(t: Target, plan: DeployPlan, ctx: DeployContext, deadline: number): Promise<{ running: string } | WatchdogDecision> {
  for (;;) {
    try {
      const r = await t.exec(commitArgv(ctx), { fresh: true, timeoutMs: Math.max(deadline - Date.now(), (plan.target.connectTimeout + 5) * 1000) });
      return { running: parseKeyValues(r.stdout).running ?? '' };
    } catch (e) {
      const decision = decisionOf(e);
      if (decision) return decision;
      if (!isConnectionFailure(e)) throw new DeployStepError('confirm', `could not record the confirmation on ${plan.host}: ${outputOf(e)}`);
      if (Date.now() + 1000 > deadline) {
        throw new DeployStepError('confirm', `no new ssh connection to ${plan.target.host} within ${plan.confirmTimeout}s after activation: ${outputOf(e)}`, true);
      }
    }
    await sleep(1000);
  }
}
