# shellcheck shell=sh
# Arms the watchdog and starts the activation, both detached (transient systemd units where the
# target runs systemd, see lib-unit.sh; else setsid), then follows the activation's log. The texts of the
# three programs it starts and follow_seconds are its own words; the rest is the deploy context,
# handed on to the watchdog and the activation as it came.
. ./lib-context.sh
. ./lib-unit.sh
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
required "watchdog_script=$watchdog_script" "activation_script=$activation_script" "follow_script=$follow_script" "follow_seconds=$follow_seconds"
read_context "$@"

mkdir -p "$run_dir" || exit 3
# What a deploy activates: generations lists the systems of failed deploys, and rollback skips
# them. A rollback on demand (switch_generation) records none: its target was a generation
# before it failed.
[ -n "$switch_generation" ] || printf '%s\n' "$out_path" > "$run_dir/system"
token=$(basename "$run_dir")
if [ "$window_seconds" != 0 ]; then
  : > "$run_dir/watchdog.log"
  if has_systemd; then
    sd_run "nix-fleet-watchdog-$token" watchdog "$run_dir/watchdog.log" "$run_dir/watchdog.log" '' \
      "$(command -v sh)" -c "$watchdog_script" nix-fleet-watchdog "$@" || { echo "nix-fleet: systemd-run could not start the watchdog" >&2; exit 3; }
  else
    setsid sh -c "$watchdog_script" nix-fleet-watchdog "$@" </dev/null >"$run_dir/watchdog.log" 2>&1 &
    echo $! > "$run_dir/watchdog.pid"
  fi
fi
: > "$run_dir/activation.log"
if has_systemd; then
  sd_run "nix-fleet-activate-$token" activation "$run_dir/activation.log" "$run_dir/activation.log" '' \
    "$(command -v sh)" -c "$activation_script" nix-fleet-activate "$@" || { echo "nix-fleet: systemd-run could not start the activation" >&2; exit 3; }
else
  setsid sh -c "$activation_script" nix-fleet-activate "$@" </dev/null >>"$run_dir/activation.log" 2>&1 &
  echo $! > "$run_dir/activation.pid"
fi
exec sh -c "$follow_script" nix-fleet-follow "run_dir=$run_dir" offset=0 "seconds=$follow_seconds"
