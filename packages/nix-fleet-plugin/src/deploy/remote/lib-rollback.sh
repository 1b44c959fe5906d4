# shellcheck shell=sh
# Returning a host to exactly what ran before this deploy, as recorded under the lock, and the
# decision that only one of the deployer and the watchdog takes (mkdir is the arbiter).
#
# An activation still running is stopped first (SIGTERM, then SIGKILL of its whole process group
# or unit) and waited for, so nothing of it lands after the rollback read the state; the profile
# goes back to its previous generation link (never "generation N-1", which may be an earlier
# failed deploy); generations newer than the highest one under the lock are deleted (this run made
# them), so they are no boot entry and no later rollback target; and the previous system is
# activated again.
. ./lib-context.sh
. ./lib-stop.sh
. ./lib-generations.sh

stop_activation() {
  [ -e "$run_dir/activated" ] && return 0
  if [ -f "$run_dir/activation.pid" ]; then
    stop_group "$(cat "$run_dir/activation.pid")" "$stop_grace" || { echo "nix-fleet: the activation survived SIGKILL" >&2; return 4; }
  fi
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    stop_unit "nix-fleet-activate-$(basename "$run_dir").service" || { echo "nix-fleet: the activation unit did not stop" >&2; return 4; }
  fi
  echo "nix-fleet: stopped an activation that had not finished" >&2
  touch "$run_dir/activated"
}
restore_profile() {
  [ "$set_profile" = 1 ] || return 0
  now=$(readlink "$profile" 2>/dev/null)
  if [ -n "$now" ] && [ "$now" != "$previous_profile_link" ]; then
    if [ -n "$previous_profile_link" ]; then
      nix-env -p "$profile" --switch-generation "$(gen_of "$previous_profile_link")" || { echo "nix-fleet: could not switch $profile back to $previous_profile_link" >&2; return 4; }
    else
      rm -f "$profile"
    fi
  fi
  for gen in $(newer_generations "$profile" "$max_generation"); do
    nix-env -p "$profile" --delete-generations "$gen" >/dev/null || { echo "nix-fleet: could not delete generation $gen of $profile" >&2; return 4; }
  done
}
# switch_to SYSTEM MODE
switch_to() {
  if [ -z "$1" ] || [ ! -x "$1/bin/switch-to-configuration" ]; then
    echo "nix-fleet: no system ran before this deploy, so there is nothing to return to" >&2
    return 4
  fi
  echo "nix-fleet: returning to $1 ($2)"
  "$1/bin/switch-to-configuration" "$2"
}
rollback() {
  stop_activation || return 4
  restore_profile || return 4
  case "$mode" in
    test) switch_to "$previous_current" test ;;
    boot) switch_to "$previous_profile" boot ;;
    *)
      # A host with a newer profile than its running system (a pending boot) keeps both.
      if [ -z "$previous_profile" ] || [ "$previous_profile" = "$previous_current" ]; then switch_to "$previous_current" switch
      else switch_to "$previous_current" test && switch_to "$previous_profile" boot; fi ;;
  esac
  rc=$?
  echo "running=$(resolve "$current_system_path")"
  [ "$rc" = 0 ] || return 4
}
# unlock: removes the lock only if this deploy still holds it.
unlock() {
  if grep -qF "token=$(basename "$run_dir") " "$lock_dir/owner" 2>/dev/null; then rm -rf "$lock_dir"; fi
}
# stop_watchdog: once the decision is taken, a watchdog that survives this (or its sleep) does nothing.
stop_watchdog() {
  if [ -f "$run_dir/watchdog.pid" ]; then kill "$(cat "$run_dir/watchdog.pid")" 2>/dev/null; fi
  stop_watchdog_unit "$run_dir"
}
# report_decision: the other side decided; says what it decided and exits 76.
report_decision() {
  i=0
  while [ ! -e "$run_dir/decision/result" ] && [ "$i" -lt 120 ]; do sleep 1; i=$((i+1)); done
  echo "decided-by=$(cat "$run_dir/decision/by" 2>/dev/null)"
  echo "result=$(cat "$run_dir/decision/result" 2>/dev/null)"
  echo "running=$(resolve "$current_system_path")"
  exit 76
}
