// The per-host lock on the target: an atomic mkdir holding an owner line with our token.
//
// A deployer killed by a signal leaves its lock behind. --breakLock=stale removes it only when
// its owner is provably gone: its deploy already took its decision on the target, or it ran
// on this machine and its process no longer exists. --breakLock=force removes any lock. Both
// say whose lock it was, and remove it only if that owner still holds it.
import { hostname, userInfo } from 'node:os';
import { CommandError } from '../nix/run';
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
  const m = /^token=([A-Za-z0-9]+) by \S*@(\S+) pid (\d+) since \S+$/.exec(owner.trim());
  const text = owner.replace(/^token=\S+ (by )?/, '').trim() || 'unknown';
  return m ? { token: m[1], machine: m[2], pid: Number(m[3]), text } : { token: /^token=([A-Za-z0-9]+) /.exec(owner)?.[1], text };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the holder is provably gone, or undefined when it may still be deploying. */
export function holderGone(holder: LockHolder, decided: boolean, here = hostname(), alive = processAlive): string | undefined {
  if (decided) return 'its deploy had already finished on the target';
  if (holder.machine === here && holder.pid !== undefined && !alive(holder.pid)) return `process ${holder.pid} no longer runs on ${here}`;
  return undefined;
}

async function tryLock(t: Target, plan: DeployPlan, owner: string): Promise<TargetState | { holder: LockHolder; decided: boolean }> {
  try {
    const r = await t.exec(lockAndReadArgv(plan.lockDir, owner, plan.currentSystemPath, plan.profilePath, plan.stateDir), {
      timeoutMs: (plan.target.connectTimeout + 30) * 1000,
    });
    const kv = parseKeyValues(r.stdout);
    return { current: kv.current ?? '', profile: kv.profile ?? '', profileLink: kv['profile-link'] ?? '' };
  } catch (e) {
    if (e instanceof CommandError && e.code === LOCKED_EXIT) {
      const kv = parseKeyValues(e.stdout);
      return { holder: parseHolder(kv['locked-by'] ?? 'unknown'), decided: kv.decided === '1' };
    }
    throw new DeployStepError('connect', `cannot reach ${plan.target.host} over ssh: ${outputOf(e)}`, isConnectionFailure(e));
  }
}

/** Takes the lock and reads the target's current system in one connection. */
export async function acquireLock(t: Target, plan: DeployPlan, owner: string, log: (line: string) => void = () => undefined): Promise<TargetState> {
  const first = await tryLock(t, plan, owner);
  if (!('holder' in first)) return first;
  const { holder, decided } = first;
  const where = `lock ${plan.lockDir} on ${plan.target.host}`;
  if (!plan.breakLock) {
    throw new DeployStepError(
      'lock',
      `${plan.host} is already being deployed (${where} held by ${holder.text}). ` +
        `Wait for that deploy; if it is gone, pass --breakLock=stale (removes it when its owner is provably gone) or --breakLock=force.`,
    );
  }
  const gone = holderGone(holder, decided);
  if (plan.breakLock === 'stale' && !gone) {
    throw new DeployStepError(
      'lock',
      `${plan.host}: the ${where} is held by ${holder.text}, which may still be deploying (it is not provably gone). ` +
        `Wait for it, or pass --breakLock=force if you are sure it is gone.`,
    );
  }
  if (!holder.token) throw new DeployStepError('lock', `${plan.host}: the ${where} has no owner token (${holder.text}); remove it by hand if you are sure.`);
  const r = await t.exec(breakLockArgv(plan.lockDir, holder.token), { timeoutMs: (plan.target.connectTimeout + 10) * 1000 }).catch((e: unknown) => {
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
