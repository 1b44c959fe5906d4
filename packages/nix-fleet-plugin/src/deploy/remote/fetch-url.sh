# shellcheck shell=sh
# A health check's URL, fetched from the target with whatever HTTP client it has, for at most
# `seconds`.
. ./lib-params.sh
once "$@"
unset url seconds
for word do
  case $word in
    url=*) url=${word#*=} ;;
    seconds=*) seconds=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "url=$url" "seconds=$seconds"
numbers "seconds=$seconds"

if command -v curl >/dev/null 2>&1; then exec curl -fsS -o /dev/null --max-time "$seconds" "$url"
elif command -v wget >/dev/null 2>&1; then exec wget -q -O /dev/null -T "$seconds" "$url"
else exec busybox wget -q -O /dev/null -T "$seconds" "$url"
fi
