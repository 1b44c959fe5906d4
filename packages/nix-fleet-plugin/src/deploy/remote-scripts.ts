// The shell programs deploy runs on the target, as constant text plus positional arguments.
//
// Each remote step is `sh -c SCRIPT nix-fleet ARG...`: the script text never contains a
// value from host.json or options; values travel as positional parameters, quoted by
// shJoin. Every script shares one "deploy context" so the watchdog, which outlives the
// deployer's connection, knows everything it needs to roll back on its own.

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
  ];
}

/** Shared functions (called with "$@": a function sees only its own positional parameters). */
export const PRELUDE = `
rollback() {
  if [ "$9" = 1 ] && [ "\${10}" != "$2" ] && [ "$(readlink -f "$1")" = "$2" ]; then
    nix-env -p "$1" --rollback || { echo "nix-fleet: nix-env --rollback of $1 failed" >&2; return 4; }
  fi
  case "$3" in
    test) sys=$7; m=test ;;
    boot) sys=$(readlink -f "$1"); m=boot ;;
    *) sys=$(readlink -f "$1"); m=switch ;;
  esac
  if [ -z "$sys" ] || [ "$sys" = "$2" ] || [ ! -x "$sys/bin/switch-to-configuration" ]; then
    echo "nix-fleet: no previous generation of $1 to roll back to" >&2
    return 4
  fi
  echo "nix-fleet: rolling back to $sys ($m)"
  "$sys/bin/switch-to-configuration" "$m"
}
unlock() {
  if grep -qF "token=$(basename "$4") " "$8/owner" 2>/dev/null; then rm -rf "$8"; fi
}
report_decision() {
  i=0
  while [ ! -e "$4/decision/result" ] && [ "$i" -lt 120 ]; do sleep 1; i=$((i+1)); done
  echo "decided-by=$(cat "$4/decision/by" 2>/dev/null)"
  echo "result=$(cat "$4/decision/result" 2>/dev/null)"
  exit 76
}
`;

/** $1 lockDir, $2 owner line, $3 current-system path, $4 profile. Exit 75 when locked. */
export const LOCK_AND_READ = `
mkdir -p "$(dirname "$1")" || exit 3
if ! mkdir "$1" 2>/dev/null; then
  echo "locked-by=$(cat "$1/owner" 2>/dev/null || echo unknown)"
  exit 75
fi
printf '%s\\n' "$2" > "$1/owner"
# readlink -f prints a missing last component as it is; a fresh host has no system yet.
resolve() { if [ -e "$1" ]; then readlink -f "$1"; fi; }
echo "current=$(resolve "$3")"
echo "profile=$(resolve "$4")"
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
 * $1 watchdog text, then the context. Starts the watchdog, sets the profile, activates.
 * HUP is ignored so a dropped connection cannot stop switch-to-configuration half-way.
 */
export const ACTIVATE = `
wd=$1; shift
trap '' HUP
mkdir -p "$4" || exit 3
if [ "$5" != 0 ]; then
  setsid sh -c "$wd" nix-fleet-watchdog "$@" </dev/null >"$4/watchdog.log" 2>&1 &
  echo $! > "$4/watchdog.pid"
fi
if [ "$9" = 1 ]; then
  nix-env -p "$1" --set "$2" || { echo "nix-fleet: nix-env --set failed" >&2; touch "$4/activated"; exit 3; }
fi
"$2/bin/switch-to-configuration" "$3"
rc=$?
touch "$4/activated"
exit $rc
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
exit 0
`;

/** The deployer's own rollback, unless the watchdog already took the decision. */
export const ROLLBACK = `${PRELUDE}
mkdir -p "$4"
mkdir "$4/decision" 2>/dev/null || report_decision "$@"
echo deployer > "$4/decision/by"
${STOP_WATCHDOG}
if rollback "$@"; then echo rolled-back > "$4/decision/result"; rc=0; else echo rollback-failed > "$4/decision/result"; rc=4; fi
unlock "$@"
exit $rc
`;

/** $1 url, $2 seconds: fetched from the target with whatever HTTP client it has. */
export const FETCH_URL = `
if command -v curl >/dev/null 2>&1; then exec curl -fsS -o /dev/null --max-time "$2" "$1"
elif command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null -T "$2" "$1"
else exec busybox wget -q -O /dev/null -T "$2" "$1"
fi
`;

const NAME = 'nix-fleet';
export const lockAndReadArgv = (lockDir: string, owner: string, currentSystem: string, profile: string) =>
  ['sh', '-c', LOCK_AND_READ, NAME, lockDir, owner, currentSystem, profile];
export const unlockArgv = (lockDir: string, token: string) => ['sh', '-c', UNLOCK, NAME, lockDir, token];
export const activateArgv = (c: DeployContext) => ['sh', '-c', ACTIVATE, NAME, WATCHDOG, ...contextArgs(c)];
export const commitArgv = (c: DeployContext) => ['sh', '-c', COMMIT, NAME, ...contextArgs(c)];
export const rollbackArgv = (c: DeployContext) => ['sh', '-c', ROLLBACK, NAME, ...contextArgs(c)];
export const fetchUrlArgv = (url: string, seconds: number) => ['sh', '-c', FETCH_URL, NAME, url, String(seconds)];
export const healthCommandArgv = (command: string) => ['sh', '-c', command];
export const probeArgv = (currentSystem: string) => ['readlink', '-f', currentSystem];
