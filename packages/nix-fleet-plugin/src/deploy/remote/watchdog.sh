# shellcheck shell=sh
# Detached on the target: waits for the activation, then the confirmation window, and rolls back
# unless the deployer decided first (mkdir is the arbiter).
. ./lib-rollback.sh
read_context "$@"

i=0
while [ ! -e "$run_dir/activated" ] && [ "$i" -lt "$activation_seconds" ]; do sleep 1; i=$((i+1)); done
sleep "$window_seconds"
mkdir "$run_dir/decision" 2>/dev/null || exit 0
echo watchdog > "$run_dir/decision/by"
if rollback; then echo rolled-back > "$run_dir/decision/result"; else echo rollback-failed > "$run_dir/decision/result"; fi
unlock
