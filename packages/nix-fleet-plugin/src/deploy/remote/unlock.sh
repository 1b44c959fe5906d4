# shellcheck shell=sh
# Removes the lock only if the token still holds it.
. ./lib-params.sh
once "$@"
unset lock_dir token
for word do
  case $word in
    lock_dir=*) lock_dir=${word#*=} ;;
    token=*) token=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "lock_dir=$lock_dir" "token=$token"

if grep -qF "token=$token " "$lock_dir/owner" 2>/dev/null; then rm -rf "$lock_dir"; fi
exit 0
