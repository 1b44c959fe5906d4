# shellcheck shell=sh
# The one read-only remote script of --mode=plan: what the host runs, and what it lacks. It takes
# no lock and writes nothing. stdin: store paths of the new closure, one a line (too many for a
# command line). Prints `current=PATH`, then for each path of the running closure `running=PATH`
# (in order) and `size=BYTES` (same order), then `missing=PATH` for each path of stdin the host
# lacks, and `done=1` last. nix-store, not `nix`: NixOS need not enable the experimental command.
# A path that does not exist is missing without asking Nix, so a host with an empty /nix gets no
# Nix database created by a plan. Exit 3 when nix-store is missing or fails.
. ./lib-params.sh
. ./lib-generations.sh
once "$@"
unset current_system
for word do
  case $word in
    current_system=*) current_system=${word#*=} ;;
    *) bad_param "$word" ;;
  esac
done
required "current_system=$current_system"

cur=$(resolve "$current_system")
echo "current=$cur"
want=$(cat)
command -v nix-store >/dev/null 2>&1 || { echo "nix-fleet: nix-store is not on PATH on this host" >&2; exit 3; }
if [ -n "$cur" ]; then
  paths=$(nix-store -qR "$cur") || exit 3
  sizes=$(printf '%s\n' "$paths" | xargs nix-store -q --size) || exit 3
  printf '%s\n' "$paths" | sed 's/^/running=/'
  printf '%s\n' "$sizes" | sed 's/^/size=/'
fi
printf '%s\n' "$want" | while IFS= read -r p; do if [ -n "$p" ] && [ ! -e "$p" ]; then echo "missing=$p"; fi; done
exists=$(printf '%s\n' "$want" | while IFS= read -r p; do if [ -n "$p" ] && [ -e "$p" ]; then printf '%s\n' "$p"; fi; done)
if [ -n "$exists" ]; then
  invalid=$(printf '%s\n' "$exists" | xargs nix-store --check-validity --print-invalid) || exit 3
  printf '%s\n' "$invalid" | sed -e '/^$/d' -e 's/^/missing=/'
fi
echo "done=1"
