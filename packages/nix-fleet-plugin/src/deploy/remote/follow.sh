# shellcheck shell=sh
# Prints the activation log from byte `offset` as it grows, then one marker line:
# nix-fleet-activation=<exit code>, or =running when `seconds` ran out, or =missing when no
# activation was started. A dropped connection kills only this follower; the deployer starts
# another from where it was.
. ./lib-params.sh
once "$@"
unset run_dir offset seconds
for word do
  case $word in
    run_dir=*) run_dir=${word#*=} ;;
    offset=*) offset=${word#*=} ;;
    seconds=*) seconds=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "run_dir=$run_dir" "offset=$offset" "seconds=$seconds"
numbers "offset=$offset" "seconds=$seconds"

log=$run_dir/activation.log
n=0; max=$((seconds * 5))
while :; do
  if [ ! -e "$log" ]; then echo; echo "nix-fleet-activation=missing"; exit 0; fi
  fin=0; [ -f "$run_dir/activation.rc" ] && fin=1
  size=$(wc -c < "$log")
  if [ "$size" -gt "$offset" ]; then tail -c "+$((offset + 1))" "$log" | head -c "$((size - offset))"; offset=$size; fi
  if [ "$fin" = 1 ]; then echo; echo "nix-fleet-activation=$(cat "$run_dir/activation.rc")"; exit 0; fi
  if [ "$n" -ge "$max" ]; then echo; echo "nix-fleet-activation=running"; exit 0; fi
  n=$((n + 1)); sleep 0.2
done
