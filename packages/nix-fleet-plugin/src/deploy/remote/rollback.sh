# shellcheck shell=sh
# The deployer's own rollback, unless the watchdog already took the decision. Once the decision is
# the deployer's, the watchdog is gone and nobody else rolls back, so the rollback (the text of
# rollback-detached.sh, in rollback_script) runs detached (a transient unit where systemd runs,
# see lib-unit.sh, else setsid; output in files): a deployer
# stopped or cut off half-way (sshd closes the session's pipes) no longer kills it with SIGPIPE,
# leaving the host half returned, the decision without a result and the lock held. The output
# follows at the end.
. ./lib-rollback.sh
once "$@"
unset rollback_script
for word do
  shift
  case $word in
    rollback_script=*) rollback_script=${word#*=} ;;
    *) set -- "$@" "$word" ;;
  esac
done
required "rollback_script=$rollback_script"
read_context "$@"

mkdir -p "$run_dir"
mkdir "$run_dir/decision" 2>/dev/null || report_decision
echo deployer > "$run_dir/decision/by"
stop_watchdog
if has_systemd; then
  # A unit: the system it returns to may restart sshd, which can end every process of the session.
  : > "$run_dir/rollback.out"; : > "$run_dir/rollback.err"
  sd_run "nix-fleet-rollback-$(basename "$run_dir")" rollback "$run_dir/rollback.out" "$run_dir/rollback.err" --wait \
    "$(command -v sh)" -c "$rollback_script" nix-fleet-rollback "$@"
  rc=$?
else
  setsid sh -c "$rollback_script" nix-fleet-rollback "$@" </dev/null >"$run_dir/rollback.out" 2>"$run_dir/rollback.err" &
  wait $!; rc=$?
fi
cat "$run_dir/rollback.out"; cat "$run_dir/rollback.err" >&2
exit $rc
