# shellcheck shell=sh
# Stopping work on the target: a process group or a systemd unit, SIGTERM first, SIGKILL after a
# grace, and a wait until nothing of it is left.
. ./lib-unit.sh

# Seconds a stopped activation gets between SIGTERM and SIGKILL (STOP_WAIT_SECONDS is twice this).
# shellcheck disable=SC2034 # read by stop_activation in lib-rollback.sh
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
    set -- ${l##*) }
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
# pid_alive FILE: the process whose PID FILE holds still exists.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
