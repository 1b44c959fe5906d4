# shellcheck shell=sh
# Takes the host's deploy lock (mkdir), then reads the running system, the profile, its generation
# link and its highest generation number, and prunes older deploy state. Exit 75 when locked,
# naming the holder, whether its deploy already took its decision (a leftover lock), and whether
# its activation or its armed watchdog still acts on this host.
. ./lib-params.sh
. ./lib-generations.sh
. ./lib-prune.sh
once "$@"
unset lock_dir owner current_system profile state_dir keep
for word do
  case $word in
    lock_dir=*) lock_dir=${word#*=} ;;
    owner=*) owner=${word#*=} ;;
    current_system=*) current_system=${word#*=} ;;
    profile=*) profile=${word#*=} ;;
    state_dir=*) state_dir=${word#*=} ;;
    keep=*) keep=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "lock_dir=$lock_dir" "owner=$owner" "current_system=$current_system" "profile=$profile" "state_dir=$state_dir" "keep=$keep"
numbers "keep=$keep"

mkdir -p "$(dirname "$lock_dir")" || exit 3
if ! mkdir "$lock_dir" 2>/dev/null; then
  holder=$(cat "$lock_dir/owner" 2>/dev/null || echo unknown)
  echo "locked-by=$holder"
  token=$(printf '%s\n' "$holder" | sed -n 's/^token=\([A-Za-z0-9]*\) .*/\1/p')
  d="$state_dir/$token"
  if [ -n "$token" ] && [ -e "$d/decision/result" ]; then echo "decided=1"; fi
  if [ -n "$token" ] && [ ! -e "$d/activated" ] && { pid_alive "$d/activation.pid" || systemctl is-active -q "nix-fleet-activate-$token.service" 2>/dev/null; }; then
    echo "activating=1"
  fi
  if [ -n "$token" ] && [ ! -e "$d/decision" ] && { pid_alive "$d/watchdog.pid" || unit_alive watchdog "$d"; }; then echo "watchdog=1"; fi
  exit 75
fi
printf '%s\n' "$owner" > "$lock_dir/owner"
echo "current=$(resolve "$current_system")"
echo "profile=$(resolve "$profile")"
echo "profile-link=$(readlink "$profile" 2>/dev/null)"
echo "generation-max=$(max_generation "$profile")"
prune_runs "$state_dir" "$keep" "$lock_dir"
exit 0
