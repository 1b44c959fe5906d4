# shellcheck shell=sh
# Confirmation: claims the decision for the deployer, stops the watchdog, unlocks. When the
# watchdog decided first, it says what the watchdog did instead (exit 76).
. ./lib-rollback.sh
read_context "$@"

mkdir -p "$run_dir"
mkdir "$run_dir/decision" 2>/dev/null || report_decision
echo deployer > "$run_dir/decision/by"
echo confirmed > "$run_dir/decision/result"
stop_watchdog
unlock
echo "running=$(resolve "$current_system_path")"
exit 0
