#!/usr/bin/env bash
# tools/fresh-root.sh COMMAND [ARG...]: runs COMMAND as on a machine where Nix never ran, so that
# "bash tools/setup.sh && npm run demo" can be proved without a new machine (issue 14).
#
# In a private mount namespace, a tmpfs becomes the new / with every top-level entry of this
# machine bind-mounted into it except /nix, made the root with pivot_root; COMMAND runs there, in
# the current folder.
# A /nix that COMMAND makes lives in that tmpfs and vanishes with the namespace; the real /nix is
# never touched. Everything else (/tmp, /etc, /run, the repository) is the real one. Root only.
set -euo pipefail
if [ "$#" -eq 0 ]; then
  echo "usage: tools/fresh-root.sh COMMAND [ARG...]  (runs COMMAND where /nix does not exist)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "fresh-root: mount namespaces need root: run it as root." >&2
  exit 1
fi
if [ -z "${NIX_FLEET_FRESH_ROOT:-}" ]; then
  # Re-run this script inside a new mount namespace whose mounts nobody else sees.
  NIX_FLEET_FRESH_ROOT=$(mktemp -d /tmp/nix-fleet-fresh-root.XXXXXX)
  export NIX_FLEET_FRESH_ROOT
  status=0
  unshare --mount --propagation private -- "$0" "$@" || status=$?
  rmdir "$NIX_FLEET_FRESH_ROOT"
  exit "$status"
fi

new=$NIX_FLEET_FRESH_ROOT
mount -t tmpfs -o mode=755 fresh-root "$new"
for path in /* /.[!.]*; do
  [ -e "$path" ] || [ -L "$path" ] || continue
  name=${path#/}
  case "$name" in nix | lost+found) continue ;; esac
  if [ -L "$path" ]; then
    ln -s "$(readlink "$path")" "$new/$name"
  elif [ -d "$path" ]; then
    mkdir "$new/$name"
    mount --rbind "$path" "$new/$name"
  else
    touch "$new/$name"
    mount --bind "$path" "$new/$name"
  fi
done
[ ! -e "$new/nix" ] || { echo "fresh-root: /nix exists in the new root" >&2; exit 1; }
# pivot_root, not chroot: a process that enters this mount namespace later (nsenter -m, as the
# test hosts do) gets the namespace's root, which must be the new one too.
mkdir "$new/.old-root"
cd "$new"
pivot_root . .old-root
umount -l /.old-root
rmdir /.old-root
cd "$OLDPWD"
exec "$@"
