// The shell programs deploy runs on the target: the files in ./remote (one program each, with the
// lib-*.sh files they include), and the argv that runs them.
//
// Each remote step is `sh -c SCRIPT nix-fleet NAME=VALUE...`: the script text never contains a
// value from host.json or options; values travel as named words, quoted by shJoin, and a script
// only ever assigns them (remote/lib-params.sh). Every activation-phase script shares one "deploy
// context" so the watchdog, which outlives the deployer's connection, knows everything it needs
// to roll back on its own.
import { KEPT_RUNS } from './remote-functions';
import { remoteScript } from './remote/script-text';

/** What every activation-phase script receives, as the words contextArgs makes (remote/lib-context.sh). */
export interface DeployContext {
  /** profile=: the system profile, e.g. /nix/var/nix/profiles/system */
  profile: string;
  /** out_path=: the new system's store path */
  outPath: string;
  /** mode=: switch | boot | test | dry-activate */
  mode: string;
  /** run_dir=: this deploy's state directory on the target (its basename is the lock token) */
  runDir: string;
  /** window_seconds=: seconds the watchdog waits for the confirmation after activation; 0 = no watchdog */
  windowSeconds: number;
  /** activation_seconds=: seconds the watchdog waits for activation itself to finish */
  activationSeconds: number;
  /** previous_current=: the running system before the deploy (readlink of /run/current-system) */
  previousCurrent: string;
  /** lock_dir=: the lock directory */
  lockDir: string;
  /** set_profile=: 1 when this deploy sets the profile (a new generation) */
  setProfile: boolean;
  /** previous_profile=: the profile's system before the deploy */
  previousProfile: string;
  /** previous_profile_link=: the profile's generation link before the deploy, e.g. system-41-link; '' if none */
  previousProfileLink: string;
  /** current_system_path=: the link to the running system, e.g. /run/current-system */
  currentSystemPath: string;
  /**
   * switch_generation=: a rollback on demand: the number of the existing generation (of
   * out_path) the profile switches to instead of a new one; '' for a deploy.
   */
  switchGeneration: string;
  /**
   * max_generation=: the highest generation number of the profile under the lock ('0' for none):
   * a rollback deletes only generations above it. The generation a run ends on may be an old
   * number (nix-env --set reuses the newest generation when it holds the same system).
   */
  maxGeneration: string;
}

export function contextArgs(c: DeployContext): string[] {
  return [
    `profile=${c.profile}`,
    `out_path=${c.outPath}`,
    `mode=${c.mode}`,
    `run_dir=${c.runDir}`,
    `window_seconds=${c.windowSeconds}`,
    `activation_seconds=${c.activationSeconds}`,
    `previous_current=${c.previousCurrent}`,
    `lock_dir=${c.lockDir}`,
    `set_profile=${c.setProfile ? '1' : '0'}`,
    `previous_profile=${c.previousProfile}`,
    `previous_profile_link=${c.previousProfileLink}`,
    `current_system_path=${c.currentSystemPath}`,
    `switch_generation=${c.switchGeneration}`,
    `max_generation=${c.maxGeneration}`,
  ];
}

/** The shared rollback functions (remote/lib-rollback.sh) with what they include. */
export const PRELUDE = remoteScript('lib-rollback.sh');
/** Takes the lock and reads the host's state under it; exit 75 when locked. */
export const LOCK_AND_READ = remoteScript('lock-and-read.sh');
/** Breaks a lock only if that token still holds it, after taking its deploy's decision. */
export const BREAK_LOCK = remoteScript('break-lock.sh');
/** Removes the lock only if it is still ours. */
export const UNLOCK = remoteScript('unlock.sh');
/** Detached on the target: rolls back unless the deployer decided first. */
export const WATCHDOG = remoteScript('watchdog.sh');
/** The activation itself: sets the profile, runs switch-to-configuration, records its exit code. */
export const ACTIVATION = remoteScript('activation.sh');
/** Follows the activation log; ends with nix-fleet-activation=<exit code>|running|missing. */
export const FOLLOW = remoteScript('follow.sh');
/** Arms the watchdog, starts the activation detached, then follows its log. */
export const ACTIVATE = remoteScript('activate.sh');
/** Confirmation: claims the decision for the deployer, stops the watchdog, unlocks. */
export const COMMIT = remoteScript('commit.sh');
/** The rollback itself, detached by ROLLBACK once the deployer holds the decision. */
export const ROLLBACK_DETACHED = remoteScript('rollback-detached.sh');
/** The deployer's rollback, unless the watchdog already decided; runs ROLLBACK_DETACHED detached. */
export const ROLLBACK = remoteScript('rollback.sh');
/** Fetches a URL from the target with whatever HTTP client it has. */
export const FETCH_URL = remoteScript('fetch-url.sh');
/** Runs an argv under the target's own timeout and ends what is left of its process group. */
export const BOUNDED = remoteScript('bounded.sh');

/** Seconds between the target's SIGTERM and its SIGKILL of a command past its limit. */
export const KILL_AFTER_SECONDS = 5;
/** coreutils' (and busybox's) timeout exits 124 when the limit ran out; 137 when it had to SIGKILL. */
export const TIMED_OUT_EXITS = [124, 137];

/**
 * Any remote argv under the target's own timeout (see BOUNDED): ending the local ssh does not end
 * a command that runs without a terminal, and a session of a shared connection outlives its
 * client. Detached work (activation, watchdog) runs in sessions of its own (setsid, systemd-run)
 * and is not touched.
 */
export const boundedArgv = (seconds: number, argv: string[]) =>
  ['sh', '-c', BOUNDED, 'nix-fleet-bounded', `kill_after=${KILL_AFTER_SECONDS}`, `seconds=${Math.max(1, Math.ceil(seconds))}`, '--', ...argv];

const NAME = 'nix-fleet';
export const lockAndReadArgv = (lockDir: string, owner: string, currentSystem: string, profile: string, stateDir: string, keep = KEPT_RUNS) =>
  ['sh', '-c', LOCK_AND_READ, NAME, `lock_dir=${lockDir}`, `owner=${owner}`, `current_system=${currentSystem}`, `profile=${profile}`, `state_dir=${stateDir}`, `keep=${keep}`];
export const breakLockArgv = (lockDir: string, token: string, stateDir: string) =>
  ['sh', '-c', BREAK_LOCK, NAME, `lock_dir=${lockDir}`, `token=${token}`, `state_dir=${stateDir}`];
export const unlockArgv = (lockDir: string, token: string) => ['sh', '-c', UNLOCK, NAME, `lock_dir=${lockDir}`, `token=${token}`];
export const activateArgv = (c: DeployContext, followSeconds: number) => [
  'sh', '-c', ACTIVATE, NAME,
  `watchdog_script=${WATCHDOG}`, `activation_script=${ACTIVATION}`, `follow_script=${FOLLOW}`, `follow_seconds=${followSeconds}`,
  ...contextArgs(c),
];
export const followArgv = (runDir: string, shownBytes: number, seconds: number) =>
  ['sh', '-c', FOLLOW, NAME, `run_dir=${runDir}`, `offset=${shownBytes}`, `seconds=${seconds}`];
export const commitArgv = (c: DeployContext) => ['sh', '-c', COMMIT, NAME, ...contextArgs(c)];
export const rollbackArgv = (c: DeployContext) => ['sh', '-c', ROLLBACK, NAME, `rollback_script=${ROLLBACK_DETACHED}`, ...contextArgs(c)];
export const fetchUrlArgv = (url: string, seconds: number) => ['sh', '-c', FETCH_URL, NAME, `url=${url}`, `seconds=${seconds}`];
export const healthCommandArgv = (command: string) => ['sh', '-c', command];
export const probeArgv = (currentSystem: string) => ['readlink', '-f', currentSystem];
