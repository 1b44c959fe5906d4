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

exec 3<&0
setsid timeout -k "$kill_after" "$seconds" "$@" <&3 3<&- &
p=$!
# A stop sent to this shell (TERM to the process group of a local target, HUP, INT) reaches the
# command's session too: setsid put it out of reach of signals to ours.
trap 'kill_group TERM "$p"' HUP INT TERM
exec 3<&-
wait "$p"; rc=$?
kill_group KILL "$p"
# Until no process of the group is left but zombies, at most 5 s.
wait_group "$p" 5
exit "$rc"
