// The per-host lock on the target: an atomic mkdir holding an owner line with our token.
//
// A deployer killed by a signal leaves its lock behind. --breakLock=stale removes it only when
// its owner is provably gone: its deploy already took its decision on the target, or it ran
// on this machine, its process no longer exists and neither its activation nor its watchdog
// still runs on the target. --breakLock=force removes any lock. Breaking takes the old
// deploy's decision first, so its watchdog can never roll back what the next deploy activates.
// Both say whose lock it was, and remove it only if that owner still holds it.
import { hostname, userInfo } from 'node:os';
import { CommandError } from '../process/run';
import type { DeployPlan } from './options';
import { breakLockArgv, lockAndReadArgv, unlockArgv } from './remote-scripts';
import { DeployStepError, parseKeyValues } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

export const LOCKED_EXIT = 75;

export interface TargetState {
  /** The running system (readlink -f of the current-system path), '' if none. */
  current: string;
  /** The system profile's current generation, '' if none. */
  profile: string;
  /** The profile's generation link (e.g. system-41-link): where a rollback puts it back. */
  profileLink: string;
  /** The profile's highest generation number ('0' for none): a rollback deletes only newer ones. */
  maxGeneration: string;
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

export interface LockHolder {
  token?: string;
  machine?: string;
  pid?: number;
  /** The owner line without its token, for messages. */
  text: string;
}

export function parseHolder(owner: string): LockHolder {
  const line = owner.trim();
  const m = /^token=([A-Za-z0-9]+) by \S*@(\S+) pid (\d+) since \S+$/.exec(line);
  const text = line.replace(/^token=\S+ (by )?/, '').trim() || 'unknown';
  return m ? { token: m[1], machine: m[2], pid: Number(m[3]), text } : { token: /^token=([A-Za-z0-9]+) /.exec(line)?.[1], text };
}

/** Whether a process of this machine runs (EPERM: it runs as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the lock's deploy still does on the target, as the lock script reports it. */
export interface HolderOnTarget {
  /** Its confirmation, rollback or watchdog already decided. */
  decided: boolean;
  /** Its switch-to-configuration still runs. */
  activating: boolean;
  /** Its watchdog is armed and has not decided: it would roll back whatever runs later. */
  watchdog: boolean;
}

/**
 * Why the holder is provably gone, or undefined when it may still act: its deploy already
 * decided on the target, or it ran on this machine, its process is gone, and nothing of it
 * (activation, armed watchdog) still runs on the target.
 */
export function holderGone(holder: LockHolder, onTarget: HolderOnTarget, here = hostname(), alive = processAlive): string | undefined {
  if (onTarget.decided) return 'its deploy had already finished on the target';
  if (onTarget.activating || onTarget.watchdog) return undefined;
  if (holder.machine === here && holder.pid !== undefined && !alive(holder.pid)) return `process ${holder.pid} no longer runs on ${here}`;
  return undefined;
}

function stillActing(onTarget: HolderOnTarget): string {
  const acts = [onTarget.activating && 'its activation still runs', onTarget.watchdog && 'its watchdog is armed'].filter(Boolean);
  return acts.length > 0 ? ` (on the target ${acts.join(' and ')})` : '';
}

async function tryLock(t: Target, plan: DeployPlan, owner: string): Promise<TargetState | { holder: LockHolder; onTarget: HolderOnTarget }> {
  try {
    const r = await t.exec(lockAndReadArgv(plan.lockDir, owner, plan.currentSystemPath, plan.profilePath, plan.stateDir), {
      timeoutMs: (plan.target.connectTimeout + 30) * 1000,
    });
    const kv = parseKeyValues(r.stdout);
    return { current: kv.current ?? '', profile: kv.profile ?? '', profileLink: kv['profile-link'] ?? '', maxGeneration: kv['generation-max'] ?? '' };
  } catch (e) {
    if (e instanceof CommandError && e.code === LOCKED_EXIT) {
      const kv = parseKeyValues(e.stdout);
      return {
        holder: parseHolder(kv['locked-by'] ?? 'unknown'),
        onTarget: { decided: kv.decided === '1', activating: kv.activating === '1', watchdog: kv.watchdog === '1' },
      };
    }
    throw new DeployStepError('connect', `cannot reach ${plan.target.host} over ssh: ${outputOf(e)}`, isConnectionFailure(e));
  }
}

/** Takes the lock and reads the target's current system in one connection. */
export async function acquireLock(t: Target, plan: DeployPlan, owner: string, log: (line: string) => void = () => undefined): Promise<TargetState> {
  const first = await tryLock(t, plan, owner);
  if (!('holder' in first)) return first;
  const { holder, onTarget } = first;
  const where = `lock ${plan.lockDir} on ${plan.target.host}`;
  if (!plan.breakLock) {
    throw new DeployStepError(
      'lock',
      `${plan.host} is already being deployed (${where} held by ${holder.text}). ` +
        `Wait for that deploy; if it is gone, pass --breakLock=stale (removes it when its owner is provably gone) or --breakLock=force.`,
    );
  }
  const gone = holderGone(holder, onTarget);
  if (plan.breakLock === 'stale' && !gone) {
    throw new DeployStepError(
      'lock',
      `${plan.host}: the ${where} is held by ${holder.text}, which may still be deploying (it is not provably gone${stillActing(onTarget)}). ` +
        `Wait for it, or pass --breakLock=force to take its decision, stop its watchdog and activation, and deploy.`,
    );
  }
  if (!holder.token) throw new DeployStepError('lock', `${plan.host}: the ${where} has no owner token (${holder.text}); remove it by hand if you are sure.`);
  const r = await t.exec(breakLockArgv(plan.lockDir, holder.token, plan.stateDir), { timeoutMs: (plan.target.connectTimeout + 10) * 1000 }).catch((e: unknown) => {
    throw new DeployStepError('connect', `cannot reach ${plan.target.host} over ssh: ${outputOf(e)}`, isConnectionFailure(e));
  });
  if (parseKeyValues(r.stdout).broken === '1') log(`${plan.host}: broke the ${where} held by ${holder.text} (${gone ?? 'forced with --breakLock=force'})`);
  const second = await tryLock(t, plan, owner);
  if ('holder' in second) throw new DeployStepError('lock', `${plan.host} is already being deployed (${where} held by ${second.holder.text}).`);
  return second;
}

/** Best effort: the lock is ours only if it still carries our token. */
export async function releaseLock(t: Target, plan: DeployPlan, token: string): Promise<void> {
  try {
    await t.exec(unlockArgv(plan.lockDir, token), { timeoutMs: (plan.target.connectTimeout + 10) * 1000 });
  } catch {
    // Unreachable: the watchdog (if armed) releases it after its decision.
  }
}
