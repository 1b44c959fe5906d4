# shellcheck shell=sh
# The deployer's rollback itself, started detached by rollback.sh once the deployer holds the
# decision.
. ./lib-rollback.sh
read_context "$@"

if rollback; then echo rolled-back > "$run_dir/decision/result"; rc=0; else echo rollback-failed > "$run_dir/decision/result"; rc=4; fi
unlock
exit $rc
