# shellcheck shell=sh
# Any remote command under the target's own timeout: kill_after=K seconds=S -- ARGV...
# The command runs in a session of its own (setsid: one process group, whichever `timeout` the
# target has; busybox's signals only the command, not its group) under the target's timeout. Once
# `timeout` returns, SIGKILL of that group ends what is left: coreutils' -k only acts while the
# command itself runs, so a child that ignores SIGTERM (a daemon forked by a health check)
# outlived a command that TERM did end. stdin is passed on by hand: an asynchronous command of sh
# would read /dev/null.
. ./lib-params.sh
. ./lib-stop.sh
once "$@"
unset kill_after seconds
while [ "$#" -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    kill_after=*) kill_after=${1#*=} ;;
    seconds=*) seconds=${1#*=} ;;
    *) bad_param "$1" ;;
  esac
  shift
done
required "kill_after=$kill_after" "seconds=$seconds"
numbers "kill_after=$kill_after" "seconds=$seconds"

# A stop sent to this shell (TERM to the process group of a local target, HUP, INT) must reach the
# command's session too, which setsid put out of reach of signals to ours. The trap is set before
# the fork, so no stop is lost: see the two checks around the fork.
stopped=
p=
# shellcheck disable=SC2317 # run by the trap
on_stop() { stopped=1; [ -z "$p" ] || kill_group TERM "$p"; }
trap on_stop HUP INT TERM
# Stopped before anything started: nothing to stop.
[ -z "$stopped" ] || exit 143
exec 3<&0
setsid timeout -k "$kill_after" "$seconds" "$@" <&3 3<&- &
p=$!
# Stopped while forking: a signal to the new process can still be lost (its shell resets the trap
# after the fork), so wait until setsid has made the command's group, then signal that.
if [ -n "$stopped" ]; then
  i=0
  until kill_group TERM "$p" || ! kill -0 "$p" 2>/dev/null || [ "$i" -ge 20 ]; do sleep 0.05; i=$((i + 1)); done
fi
exec 3<&-
wait "$p"; rc=$?
# A trapped signal ends the wait at once: the command gets a second to end on TERM (the caller's
# own SIGKILL follows 2 s after its TERM), then SIGKILL.
[ -z "$stopped" ] || wait_group "$p" 1
kill_group KILL "$p"
# Reaps a command the stop cut short (bash would report it as Killed).
wait "$p" 2>/dev/null
# Until no process of the group is left but zombies, at most 5 s.
wait_group "$p" 5
exit "$rc"
