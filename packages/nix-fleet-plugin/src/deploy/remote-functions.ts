// Shell functions the remote scripts share for stopping work and pruning history on the target.
// Plain POSIX sh (dash, bash, busybox ash), with no value from TypeScript inside the text.

/**
 * The most a rollback waits for a stopped activation before it gives up: stop_grace (in the
 * shell text below, and TimeoutStopSec of the activation unit) between SIGTERM and SIGKILL,
 * and as long again for the processes to be gone.
 */
export const STOP_WAIT_SECONDS = 10;
/** Deploy state folders kept on the target; older ones are removed under the next lock. */
export const KEPT_RUNS = 10;

export const REMOTE_FUNCTIONS = `
# Seconds a stopped activation gets between SIGTERM and SIGKILL.
stop_grace=5
# kill_group SIGNAL PGID: dash needs "--" before a negative PID, busybox ash refuses it.
kill_group() { kill -s "$1" -- "-$2" 2>/dev/null || kill -s "$1" "-$2" 2>/dev/null; }
# group_alive PGID: a process of that group that is not a zombie (kill -0 counts zombies).
group_alive() {
  g=$1
  for f in /proc/[0-9]*/stat; do
    { read -r l < "$f"; } 2>/dev/null || continue
    # Split on purpose: the fields after the command name are state, ppid, pgrp, ...
    # shellcheck disable=SC2086
    set -- \${l##*) }
    [ "$3" = "$g" ] && [ "$1" != Z ] && return 0
  done
  return 1
}
# wait_group PGID SECONDS: 0 once the group is gone, 1 if it is still there after SECONDS.
wait_group() {
  i=0
  while group_alive "$1"; do
    [ "$i" -ge $(($2 * 5)) ] && return 1
    sleep 0.2; i=$((i + 1))
  done
  return 0
}
# stop_group PGID GRACE: SIGTERM, then SIGKILL after GRACE seconds; 0 once every process is gone.
stop_group() {
  kill_group TERM "$1"
  wait_group "$1" "$2" && return 0
  echo "nix-fleet: process group $1 ignored SIGTERM for $2s: sending SIGKILL" >&2
  kill_group KILL "$1"
  wait_group "$1" "$2"
}
# stop_unit UNIT: systemctl stop waits for the unit (SIGTERM, SIGKILL after its TimeoutStopSec);
# then SIGKILL of what is left, and a wait until the unit is neither active nor stopping.
stop_unit() {
  systemctl stop "$1" 2>/dev/null
  systemctl kill --signal=KILL "$1" 2>/dev/null
  i=0
  while :; do
    case "$(systemctl show -p ActiveState --value "$1" 2>/dev/null)" in
      active|activating|deactivating|reloading) ;;
      *) return 0 ;;
    esac
    [ "$i" -ge 50 ] && return 1
    sleep 0.2; i=$((i + 1))
  done
}
# generation_numbers PROFILE: the numbers of the profile's generation links, one a line.
generation_numbers() {
  for l in "$1"-*-link; do
    [ -L "$l" ] || continue
    n=\${l#"$1"-}; n=\${n%-link}
    case "$n" in ''|*[!0-9]*) continue ;; esac
    echo "$n"
  done
}
# max_generation PROFILE: the highest generation number, 0 when there is none.
max_generation() {
  m=0
  for n in $(generation_numbers "$1"); do [ "$n" -gt "$m" ] && m=$n; done
  echo "$m"
}
# newer_generations PROFILE MAX: generations numbered above MAX, the highest recorded under the
# lock: only those can be this run's. An empty MAX (unknown) names none.
newer_generations() {
  case "$2" in ''|*[!0-9]*) return 0 ;; esac
  for n in $(generation_numbers "$1"); do [ "$n" -gt "$2" ] && echo "$n"; done
  return 0
}
# prune_runs STATE_DIR KEEP LOCK_DIR: removes deploy state folders (named by their token,
# d<time in base 36><hex>, so they sort by age) but the newest KEEP, and never one whose
# watchdog or activation still runs.
prune_runs() {
  # A stateDir that is a symlink points elsewhere: nothing there is ours to remove.
  [ -L "$1" ] && return 0
  total=0
  for d in "$1"/d*; do
    is_run "$d" "$3" && total=$((total + 1))
  done
  extra=$((total - $2))
  for d in "$1"/d*; do
    [ "$extra" -gt 0 ] || return 0
    is_run "$d" "$3" || continue
    extra=$((extra - 1))
    pid_alive "$d/watchdog.pid" || pid_alive "$d/activation.pid" || rm -rf "$d"
  done
}
# is_run PATH LOCK_DIR: a deploy state folder: a token's name (d, then 16 or more of [0-9a-z]), a
# real folder (no symlink), not the lock, holding what only a deploy writes there. A stateDir
# set to a system folder by mistake (/usr/bin has dash, date, dd, ...) loses nothing.
is_run() {
  n=\${1##*/}
  case "$n" in d????????????????*) ;; *) return 1 ;; esac
  case "$n" in d*[!0-9a-z]*) return 1 ;; esac
  [ -d "$1" ] && [ ! -L "$1" ] && [ "$1" != "$2" ] || return 1
  [ -e "$1/activation.log" ] || [ -e "$1/decision" ]
}
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
`;
