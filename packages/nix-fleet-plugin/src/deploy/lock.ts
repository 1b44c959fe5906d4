// The per-host lock on the target: an atomic mkdir holding an owner line with our token.
import { hostname, userInfo } from 'node:os';
import { CommandError } from '../nix/run';
import type { DeployPlan } from './options';
import { lockAndReadArgv, unlockArgv } from './remote-scripts';
import { DeployStepError, parseKeyValues } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

export const LOCKED_EXIT = 75;

export interface TargetState {
  /** The running system (readlink -f of the current-system path), '' if none. */
  current: string;
  /** The system profile's current generation, '' if none. */
  profile: string;
}

/** Who holds the lock, as the second deployer will read it. */
export function lockOwner(token: string, now = new Date()): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `token=${token} by ${user}@${hostname()} pid ${process.pid} since ${now.toISOString()}`;
}

/** Takes the lock and reads the target's current system in one connection. */
export async function acquireLock(t: Target, plan: DeployPlan, owner: string): Promise<TargetState> {
  try {
    const r = await t.exec(lockAndReadArgv(plan.lockDir, owner, plan.currentSystemPath, plan.profilePath), {
      timeoutMs: (plan.target.connectTimeout + 30) * 1000,
    });
    const kv = parseKeyValues(r.stdout);
    return { current: kv.current ?? '', profile: kv.profile ?? '' };
  } catch (e) {
    if (e instanceof CommandError && e.code === LOCKED_EXIT) {
      const holder = (parseKeyValues(e.stdout)['locked-by'] ?? 'unknown').replace(/^token=\S+ /, '');
      throw new DeployStepError(
        'lock',
        `${plan.host} is already being deployed (lock ${plan.lockDir} held ${holder}). ` +
          `Wait for that deploy, or if it is gone, remove ${plan.lockDir} on ${plan.target.host}.`,
      );
    }
    const why = outputOf(e);
    throw new DeployStepError('connect', `cannot reach ${plan.target.host} over ssh: ${why}`, isConnectionFailure(e));
  }
}

/** Best effort: the lock is ours only if it still carries our token. */
export async function releaseLock(t: Target, plan: DeployPlan, token: string): Promise<void> {
  try {
    await t.exec(unlockArgv(plan.lockDir, token), { timeoutMs: (plan.target.connectTimeout + 10) * 1000 });
  } catch {
    // Unreachable: the watchdog (if armed) releases it after its decision.
  }
}
