# shellcheck shell=sh
# Lists a profile's generations. Prints key=value lines: current=<running system>,
# profile-link=<the profile's generation link>, one generation=<number> <mtime> <1 if a NixOS
# system> <system> per generation link, and one run=<mtime> <exit code|-> <decision|-> <system>
# per deploy run still recorded in state_dir (/run: cleared at reboot).
. ./lib-params.sh
. ./lib-generations.sh
once "$@"
unset profile current_system state_dir
for word do
  case $word in
    profile=*) profile=${word#*=} ;;
    current_system=*) current_system=${word#*=} ;;
    state_dir=*) state_dir=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "profile=$profile" "current_system=$current_system" "state_dir=$state_dir"

echo "current=$(resolve "$current_system")"
echo "profile-link=$(readlink "$profile" 2>/dev/null)"
for n in $(generation_numbers "$profile"); do
  l=$profile-$n-link
  s=$(readlink -f "$l")
  ok=0; [ -x "$s/bin/switch-to-configuration" ] && ok=1
  echo "generation=$n $(stat -c %Y "$l") $ok $s"
done
for f in "$state_dir"/*/system; do
  [ -f "$f" ] || continue
  d=$(dirname "$f")
  rc=$(cat "$d/activation.rc" 2>/dev/null); res=$(cat "$d/decision/result" 2>/dev/null)
  echo "run=$(stat -c %Y "$d") ${rc:--} ${res:--} $(cat "$f")"
done
exit 0
