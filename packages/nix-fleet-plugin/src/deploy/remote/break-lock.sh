# shellcheck shell=sh
# Breaks a lock only if that token still holds it (no newer deploy's). First it takes that
# deploy's decision, so its watchdog (which decides with the same mkdir) can no longer roll back
# the next deploy, stops the watchdog and any activation still running, and only then removes
# the lock.
. ./lib-rollback.sh
once "$@"
unset lock_dir token state_dir
for word do
  case $word in
    lock_dir=*) lock_dir=${word#*=} ;;
    token=*) token=${word#*=} ;;
    state_dir=*) state_dir=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "lock_dir=$lock_dir" "token=$token" "state_dir=$state_dir"

grep -qF "token=$token " "$lock_dir/owner" 2>/dev/null || exit 0
run_dir=$state_dir/$token
mkdir -p "$run_dir"
if mkdir "$run_dir/decision" 2>/dev/null; then echo broken > "$run_dir/decision/by"; echo lock-broken > "$run_dir/decision/result"; fi
stop_watchdog
stop_activation 2>/dev/null
rm -rf "$lock_dir"
echo "broken=1"
exit 0
