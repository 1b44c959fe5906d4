// The shell programs deploy runs on the target, as constant text plus positional arguments.
//
// Each remote step is `sh -c SCRIPT nix-fleet ARG...`: the script text never contains a
// value from host.json or options; values travel as positional parameters, quoted by
// shJoin. Every script shares one "deploy context" so the watchdog, which outlives the
// deployer's connection, knows everything it needs to roll back on its own.
import { KEPT_RUNS, REMOTE_FUNCTIONS } from './remote-functions';

/** The positional parameters every activation-phase script receives, in this order. */
export interface DeployContext {
  /** $1: the system profile, e.g. /nix/var/nix/profiles/system */
  profile: string;
  /** $2: the new system's store path */
  outPath: string;
  /** $3: switch | boot | test | dry-activate */
  mode: string;
  /** $4: this deploy's state directory on the target (its basename is the lock token) */
  runDir: string;
  /** $5: seconds the watchdog waits for the confirmation after activation; 0 = no watchdog */
  windowSeconds: number;
  /** $6: seconds the watchdog waits for activation itself to finish */
  activationSeconds: number;
  /** $7: the running system before the deploy (readlink of /run/current-system) */
  previousCurrent: string;
  /** $8: the lock directory */
  lockDir: string;
  /** $9: 1 when this deploy sets the profile (a new generation) */
  setProfile: boolean;
  /** $10: the profile's system before the deploy */
  previousProfile: string;
  /** $11: the profile's generation link before the deploy, e.g. system-41-link; '' if none */
  previousProfileLink: string;
  /** $12: the link to the running system, e.g. /run/current-system */
  currentSystemPath: string;
  /**
   * $13: a rollback on demand: the number of the existing generation (of $2) the profile
   * switches to instead of a new one; '' for a deploy.
   */
  switchGeneration: string;
  /**
   * $14: the highest generation number of the profile under the lock ('0' for none): a rollback
   * deletes only generations above it. The generation a run ends on may be an old number
   * (nix-env --set reuses the newest generation when it holds the same system).
   */
  maxGeneration: string;
}

export function contextArgs(c: DeployContext): string[] {
  return [
    c.profile,
    c.outPath,
    c.mode,
    c.runDir,
    String(c.windowSeconds),
    String(c.activationSeconds),
    c.previousCurrent,
    c.lockDir,
    c.setProfile ? '1' : '0',
    c.previousProfile,
    c.previousProfileLink,
    c.currentSystemPath,
    c.switchGeneration,
    c.maxGeneration,
  ];
}

/**
 * Shared functions (called with "$@": a function sees only its own positional parameters).
 *
 * Rolling back returns to exactly what ran before this deploy, as recorded under the lock:
 * an activation still running is stopped first (SIGTERM, then SIGKILL of its whole process
 * group or unit) and waited for, so nothing of it lands after the rollback read the state;
 * the profile goes back to its previous generation link (never "generation N-1", which may be
 * an earlier failed deploy); generations newer than the highest one under the lock are deleted
 * (this run made them), so they are no boot entry and no later rollback target; and the
 * previous system is activated again.
 */
export const PRELUDE = `${REMOTE_FUNCTIONS}
resolve() { if [ -e "$1" ]; then readlink -f "$1"; fi; }
gen_of() { printf '%s\\n' "$1" | sed -n 's/^.*-\\([0-9][0-9]*\\)-link$/\\1/p'; }
stop_activation() {
  [ -e "$4/activated" ] && return 0
  if [ -f "$4/activation.pid" ]; then
    stop_group "$(cat "$4/activation.pid")" "$stop_grace" || { echo "nix-fleet: the activation survived SIGKILL" >&2; return 4; }
  fi
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    stop_unit "nix-fleet-activate-$(basename "$4").service" || { echo "nix-fleet: the activation unit did not stop" >&2; return 4; }
  fi
  echo "nix-fleet: stopped an activation that had not finished" >&2
  touch "$4/activated"
}
restore_profile() {
  [ "$9" = 1 ] || return 0
  now=$(readlink "$1" 2>/dev/null)
  if [ -n "$now" ] && [ "$now" != "\${11}" ]; then
    if [ -n "\${11}" ]; then
      nix-env -p "$1" --switch-generation "$(gen_of "\${11}")" || { echo "nix-fleet: could not switch $1 back to \${11}" >&2; return 4; }
    else
      rm -f "$1"
    fi
  fi
  for gen in $(newer_generations "$1" "\${14}"); do
    nix-env -p "$1" --delete-generations "$gen" >/dev/null || { echo "nix-fleet: could not delete generation $gen of $1" >&2; return 4; }
  done
}
switch_to() {
  if [ -z "$1" ] || [ ! -x "$1/bin/switch-to-configuration" ]; then
    echo "nix-fleet: no system ran before this deploy, so there is nothing to return to" >&2
    return 4
  fi
  echo "nix-fleet: returning to $1 ($2)"
  "$1/bin/switch-to-configuration" "$2"
}
rollback() {
  stop_activation "$@" || return 4
  restore_profile "$@" || return 4
  case "$3" in
    test) switch_to "$7" test ;;
    boot) switch_to "\${10}" boot ;;
    *)
      # A host with a newer profile than its running system (a pending boot) keeps both.
      if [ -z "\${10}" ] || [ "\${10}" = "$7" ]; then switch_to "$7" switch
      else switch_to "$7" test && switch_to "\${10}" boot; fi ;;
  esac
  rc=$?
  echo "running=$(resolve "\${12}")"
  [ "$rc" = 0 ] || return 4
}
unlock() {
  if grep -qF "token=$(basename "$4") " "$8/owner" 2>/dev/null; then rm -rf "$8"; fi
}
report_decision() {
  i=0
  while [ ! -e "$4/decision/result" ] && [ "$i" -lt 120 ]; do sleep 1; i=$((i+1)); done
  echo "decided-by=$(cat "$4/decision/by" 2>/dev/null)"
  echo "result=$(cat "$4/decision/result" 2>/dev/null)"
  echo "running=$(resolve "\${12}")"
  exit 76
}
`;

/**
 * $1 lockDir, $2 owner line, $3 current-system path, $4 profile, $5 stateDir, $6 deploy state
 * folders to keep. Exit 75 when locked, naming the holder and whether its deploy already took
 * its decision (a leftover lock). Under the lock it prunes older deploy state and reads the
 * running system, the profile, its generation link and its highest generation number.
 */
export const LOCK_AND_READ = `${REMOTE_FUNCTIONS}
mkdir -p "$(dirname "$1")" || exit 3
if ! mkdir "$1" 2>/dev/null; then
  owner=$(cat "$1/owner" 2>/dev/null || echo unknown)
  echo "locked-by=$owner"
  token=$(printf '%s\\n' "$owner" | sed -n 's/^token=\\([A-Za-z0-9]*\\) .*/\\1/p')
  d="$5/$token"
  if [ -n "$token" ] && [ -e "$d/decision/result" ]; then echo "decided=1"; fi
  # Whether that deploy still acts on this host: its activation or its armed watchdog.
  if [ -n "$token" ] && [ ! -e "$d/activated" ] && { pid_alive "$d/activation.pid" || systemctl is-active -q "nix-fleet-activate-$token.service" 2>/dev/null; }; then
    echo "activating=1"
  fi
  if [ -n "$token" ] && [ ! -e "$d/decision" ] && pid_alive "$d/watchdog.pid"; then echo "watchdog=1"; fi
  exit 75
fi
printf '%s\\n' "$2" > "$1/owner"
# readlink -f prints a missing last component as it is; a fresh host has no system yet.
resolve() { if [ -e "$1" ]; then readlink -f "$1"; fi; }
echo "current=$(resolve "$3")"
echo "profile=$(resolve "$4")"
echo "profile-link=$(readlink "$4" 2>/dev/null)"
echo "generation-max=$(max_generation "$4")"
prune_runs "$5" "$6" "$1"
exit 0
`;

/**
 * $1 lockDir, $2 token, $3 stateDir: breaks a lock only if that token still holds it (no newer
 * deploy's). First it takes that deploy's decision, so its watchdog (which decides with the same
 * mkdir) can no longer roll back the next deploy, stops the watchdog and any activation still
 * running, and only then removes the lock.
 */
export const BREAK_LOCK = `${PRELUDE}
grep -qF "token=$2 " "$1/owner" 2>/dev/null || exit 0
lock=$1; d="$3/$2"
mkdir -p "$d"
if mkdir "$d/decision" 2>/dev/null; then echo broken > "$d/decision/by"; echo lock-broken > "$d/decision/result"; fi
if [ -f "$d/watchdog.pid" ]; then kill "$(cat "$d/watchdog.pid")" 2>/dev/null; fi
set -- "" "" "" "$d"
stop_activation "$@" 2>/dev/null
rm -rf "$lock"
echo "broken=1"
exit 0
`;

/** $1 lockDir, $2 token: removes the lock only if it is still ours. */
export const UNLOCK = `
if grep -qF "token=$2 " "$1/owner" 2>/dev/null; then rm -rf "$1"; fi
exit 0
`;

/** Detached on the target: rolls back unless the deployer decided first (mkdir is the arbiter). */
export const WATCHDOG = `${PRELUDE}
i=0
while [ ! -e "$4/activated" ] && [ "$i" -lt "$6" ]; do sleep 1; i=$((i+1)); done
sleep "$5"
mkdir "$4/decision" 2>/dev/null || exit 0
echo watchdog > "$4/decision/by"
if rollback "$@"; then echo rolled-back > "$4/decision/result"; else echo rollback-failed > "$4/decision/result"; fi
unlock "$@"
`;

/**
 * The activation itself, detached from any ssh session: it sets the profile, runs
 * switch-to-configuration with its output in $4/activation.log, and records the exit code
 * in $4/activation.rc (written whole by a rename) before it marks $4/activated.
 */
export const ACTIVATION = `
rc=0
if [ "$9" = 1 ] && [ -n "\${13}" ]; then
  # Only a real generation link of this profile that still holds $2 (checked again under the lock).
  if [ -L "$1-\${13}-link" ] && [ "$(readlink -f "$1-\${13}-link")" = "$2" ]; then
    nix-env -p "$1" --switch-generation "\${13}" || { echo "nix-fleet: nix-env --switch-generation \${13} of $1 failed" >&2; rc=3; }
  else
    echo "nix-fleet: $1-\${13}-link is not a generation of $1 holding $2" >&2; rc=3
  fi
elif [ "$9" = 1 ]; then
  nix-env -p "$1" --set "$2" || { echo "nix-fleet: nix-env --set of $1 failed" >&2; rc=3; }
fi
if [ "$rc" = 0 ]; then "$2/bin/switch-to-configuration" "$3"; rc=$?; fi
echo "$rc" > "$4/activation.rc.tmp" && mv "$4/activation.rc.tmp" "$4/activation.rc"
touch "$4/activated"
`;

/**
 * $1 runDir, $2 bytes of the log already shown, $3 seconds to wait: prints the activation
 * log from there as it grows, then one marker line: nix-fleet-activation=<exit code>, or
 * =running when the wait ran out, or =missing when no activation was started. A dropped
 * connection kills only this follower; the deployer starts another from where it was.
 */
export const FOLLOW = `
d=$1; off=$2; n=0; max=$(($3 * 5))
while :; do
  if [ ! -e "$d/activation.log" ]; then echo; echo "nix-fleet-activation=missing"; exit 0; fi
  fin=0; [ -f "$d/activation.rc" ] && fin=1
  size=$(wc -c < "$d/activation.log")
  if [ "$size" -gt "$off" ]; then tail -c "+$((off + 1))" "$d/activation.log" | head -c "$((size - off))"; off=$size; fi
  if [ "$fin" = 1 ]; then echo; echo "nix-fleet-activation=$(cat "$d/activation.rc")"; exit 0; fi
  if [ "$n" -ge "$max" ]; then echo; echo "nix-fleet-activation=running"; exit 0; fi
  n=$((n + 1)); sleep 0.2
done
`;

/**
 * $1 watchdog text, $2 activation text, $3 follow text, $4 seconds to follow, then the context.
 * Arms the watchdog, starts the activation detached (a transient systemd unit where the
 * target runs systemd, as nixos-rebuild-ng does; else setsid), then follows its log.
 */
export const ACTIVATE = `
wd=$1; act=$2; follow=$3; wait=$4; shift 4
mkdir -p "$4" || exit 3
# What a deploy activates: generations lists the systems of failed deploys, and rollback skips
# them. A rollback on demand ($13) records none: its target was a generation before it failed.
[ -n "\${13}" ] || printf '%s\\n' "$2" > "$4/system"
if [ "$5" != 0 ]; then
  setsid sh -c "$wd" nix-fleet-watchdog "$@" </dev/null >"$4/watchdog.log" 2>&1 &
  echo $! > "$4/watchdog.pid"
fi
: > "$4/activation.log"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  # TimeoutStopSec: a stop sends SIGKILL to the whole unit this long after SIGTERM.
  systemd-run --unit="nix-fleet-activate-$(basename "$4")" --collect --no-ask-password --quiet --service-type=exec \\
    -p TimeoutStopSec=5s \\
    --setenv=PATH="$PATH" -p StandardOutput="append:$4/activation.log" -p StandardError="append:$4/activation.log" \\
    "$(command -v sh)" -c "$act" nix-fleet-activate "$@" || { echo "nix-fleet: systemd-run could not start the activation" >&2; exit 3; }
else
  setsid sh -c "$act" nix-fleet-activate "$@" </dev/null >>"$4/activation.log" 2>&1 &
  echo $! > "$4/activation.pid"
fi
exec sh -c "$follow" nix-fleet-follow "$4" 0 "$wait"
`;

// The decision is already taken, so a watchdog that survives this (or its sleep) does nothing.
const STOP_WATCHDOG = `if [ -f "$4/watchdog.pid" ]; then kill "$(cat "$4/watchdog.pid")" 2>/dev/null; fi`;

/** Confirmation: claims the decision for the deployer, stops the watchdog, unlocks. */
export const COMMIT = `${PRELUDE}
mkdir -p "$4"
mkdir "$4/decision" 2>/dev/null || report_decision "$@"
echo deployer > "$4/decision/by"
echo confirmed > "$4/decision/result"
${STOP_WATCHDOG}
unlock "$@"
echo "running=$(resolve "\${12}")"
exit 0
`;

/** The rollback itself, detached by ROLLBACK once the deployer holds the decision. */
export const ROLLBACK_DETACHED = `${PRELUDE}
if rollback "$@"; then echo rolled-back > "$4/decision/result"; rc=0; else echo rollback-failed > "$4/decision/result"; rc=4; fi
unlock "$@"
exit $rc
`;

/**
 * $1 ROLLBACK_DETACHED, then the context: the deployer's own rollback, unless the watchdog already
 * took the decision. Once the decision is the deployer's, the watchdog is gone and nobody else
 * rolls back, so the rollback runs detached (setsid, output in files): a deployer stopped or cut
 * off half-way (sshd closes the session's pipes) no longer kills it with SIGPIPE, leaving the host
 * half returned, the decision without a result and the lock held. The output follows at the end.
 */
export const ROLLBACK = `body=$1; shift
${PRELUDE}
mkdir -p "$4"
mkdir "$4/decision" 2>/dev/null || report_decision "$@"
echo deployer > "$4/decision/by"
${STOP_WATCHDOG}
setsid sh -c "$body" nix-fleet-rollback "$@" </dev/null >"$4/rollback.out" 2>"$4/rollback.err" &
wait $!; rc=$?
cat "$4/rollback.out"; cat "$4/rollback.err" >&2
exit $rc
`;

/** $1 url, $2 seconds: fetched from the target with whatever HTTP client it has. */
export const FETCH_URL = `
if command -v curl >/dev/null 2>&1; then exec curl -fsS -o /dev/null --max-time "$2" "$1"
elif command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null -T "$2" "$1"
else exec busybox wget -q -O /dev/null -T "$2" "$1"
fi
`;

/** Seconds between the target's SIGTERM and its SIGKILL of a command past its limit. */
export const KILL_AFTER_SECONDS = 5;
/** coreutils' (and busybox's) timeout exits 124 when the limit ran out; 137 when it had to SIGKILL. */
export const TIMED_OUT_EXITS = [124, 137];

/**
 * $1 seconds to SIGKILL, $2 seconds, then the argv. The command runs in a session of its own
 * (setsid: one process group, whichever \`timeout\` the target has; busybox's signals only the
 * command, not its group) under the target's timeout. Once \`timeout\` returns, SIGKILL of that
 * group ends what is left: coreutils' -k only acts while the command itself runs, so a child that
 * ignores SIGTERM (a daemon forked by a health check) outlived a command that TERM did end.
 * stdin is passed on by hand: an asynchronous command of sh would read /dev/null.
 */
export const BOUNDED = `
k=$1; s=$2; shift 2
exec 3<&0
setsid timeout -k "$k" "$s" "$@" <&3 3<&- &
p=$!
exec 3<&-
wait "$p"; rc=$?
# dash needs "--" before a negative PID, busybox ash refuses it.
group() { kill -s "$1" -- "-$p" 2>/dev/null || kill -s "$1" "-$p" 2>/dev/null; }
group KILL
# Until no process of the group is left but zombies (kill -0 counts those), at most 5 s.
left() {
  for f in /proc/[0-9]*/stat; do
    { read -r l < "$f"; } 2>/dev/null || continue
    # shellcheck disable=SC2086
    set -- \${l##*) }
    [ "$3" = "$p" ] && [ "$1" != Z ] && return 0
  done
  return 1
}
i=0; while left && [ "$i" -lt 25 ]; do sleep 0.2; i=$((i + 1)); done
exit "$rc"
`;

/**
 * Any remote argv under the target's own timeout (see BOUNDED): ending the local ssh does not end
 * a command that runs without a terminal, and a session of a shared connection outlives its
 * client. Detached work (activation, watchdog) runs in sessions of its own (setsid, systemd-run)
 * and is not touched.
 */
export const boundedArgv = (seconds: number, argv: string[]) => ['sh', '-c', BOUNDED, 'nix-fleet-bounded', String(KILL_AFTER_SECONDS), String(Math.max(1, Math.ceil(seconds))), ...argv];

const NAME = 'nix-fleet';
export const lockAndReadArgv = (lockDir: string, owner: string, currentSystem: string, profile: string, stateDir: string, keep = KEPT_RUNS) =>
  ['sh', '-c', LOCK_AND_READ, NAME, lockDir, owner, currentSystem, profile, stateDir, String(keep)];
export const breakLockArgv = (lockDir: string, token: string, stateDir: string) => ['sh', '-c', BREAK_LOCK, NAME, lockDir, token, stateDir];
export const unlockArgv = (lockDir: string, token: string) => ['sh', '-c', UNLOCK, NAME, lockDir, token];
export const activateArgv = (c: DeployContext, followSeconds: number) => ['sh', '-c', ACTIVATE, NAME, WATCHDOG, ACTIVATION, FOLLOW, String(followSeconds), ...contextArgs(c)];
export const followArgv = (runDir: string, shownBytes: number, seconds: number) => ['sh', '-c', FOLLOW, NAME, runDir, String(shownBytes), String(seconds)];
export const commitArgv = (c: DeployContext) => ['sh', '-c', COMMIT, NAME, ...contextArgs(c)];
export const rollbackArgv = (c: DeployContext) => ['sh', '-c', ROLLBACK, NAME, ROLLBACK_DETACHED, ...contextArgs(c)];
export const fetchUrlArgv = (url: string, seconds: number) => ['sh', '-c', FETCH_URL, NAME, url, String(seconds)];
export const healthCommandArgv = (command: string) => ['sh', '-c', command];
export const probeArgv = (currentSystem: string) => ['readlink', '-f', currentSystem];
