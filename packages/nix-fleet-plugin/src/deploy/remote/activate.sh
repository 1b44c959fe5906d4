# shellcheck shell=sh
# Arms the watchdog, starts the activation detached (a transient systemd unit where the target
# runs systemd, as nixos-rebuild-ng does; else setsid), then follows its log. The texts of the
# three programs it starts and follow_seconds are its own words; the rest is the deploy context,
# handed on to the watchdog and the activation as it came.
. ./lib-context.sh
once "$@"
unset watchdog_script activation_script follow_script follow_seconds
for word do
  shift
  case $word in
    watchdog_script=*) watchdog_script=${word#*=} ;;
    activation_script=*) activation_script=${word#*=} ;;
    follow_script=*) follow_script=${word#*=} ;;
    follow_seconds=*) follow_seconds=${word#*=} ;;
    *) set -- "$@" "$word" ;;
  esac
done
: "${watchdog_script?}" "${activation_script?}" "${follow_script?}" "${follow_seconds?}"
read_context "$@"

mkdir -p "$run_dir" || exit 3
# What a deploy activates: generations lists the systems of failed deploys, and rollback skips
# them. A rollback on demand (switch_generation) records none: its target was a generation
# before it failed.
[ -n "$switch_generation" ] || printf '%s\n' "$out_path" > "$run_dir/system"
if [ "$window_seconds" != 0 ]; then
  setsid sh -c "$watchdog_script" nix-fleet-watchdog "$@" </dev/null >"$run_dir/watchdog.log" 2>&1 &
  echo $! > "$run_dir/watchdog.pid"
fi
: > "$run_dir/activation.log"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  # TimeoutStopSec: a stop sends SIGKILL to the whole unit this long after SIGTERM.
  systemd-run --unit="nix-fleet-activate-$(basename "$run_dir")" --collect --no-ask-password --quiet --service-type=exec \
    -p TimeoutStopSec=5s \
    --setenv=PATH="$PATH" -p StandardOutput="append:$run_dir/activation.log" -p StandardError="append:$run_dir/activation.log" \
    "$(command -v sh)" -c "$activation_script" nix-fleet-activate "$@" || { echo "nix-fleet: systemd-run could not start the activation" >&2; exit 3; }
else
  setsid sh -c "$activation_script" nix-fleet-activate "$@" </dev/null >>"$run_dir/activation.log" 2>&1 &
  echo $! > "$run_dir/activation.pid"
fi
exec sh -c "$follow_script" nix-fleet-follow "run_dir=$run_dir" offset=0 "seconds=$follow_seconds"
