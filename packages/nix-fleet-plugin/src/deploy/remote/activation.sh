# shellcheck shell=sh
# The activation itself, detached from any ssh session: it sets the profile, runs
# switch-to-configuration in the deploy's mode, and records the exit code in
# $run_dir/activation.rc (written whole by a rename) before it marks $run_dir/activated.
. ./lib-context.sh
read_context "$@"

rc=0
link=$profile-$switch_generation-link
if [ "$set_profile" = 1 ] && [ -n "$switch_generation" ]; then
  # Only a real generation link of this profile that still holds the system (checked again under the lock).
  if [ -L "$link" ] && [ "$(readlink -f "$link")" = "$out_path" ]; then
    nix-env -p "$profile" --switch-generation "$switch_generation" || { echo "nix-fleet: nix-env --switch-generation $switch_generation of $profile failed" >&2; rc=3; }
  else
    echo "nix-fleet: $link is not a generation of $profile holding $out_path" >&2; rc=3
  fi
elif [ "$set_profile" = 1 ]; then
  nix-env -p "$profile" --set "$out_path" || { echo "nix-fleet: nix-env --set of $profile failed" >&2; rc=3; }
fi
if [ "$rc" = 0 ]; then "$out_path/bin/switch-to-configuration" "$mode"; rc=$?; fi
echo "$rc" > "$run_dir/activation.rc.tmp" && mv "$run_dir/activation.rc.tmp" "$run_dir/activation.rc"
touch "$run_dir/activated"
