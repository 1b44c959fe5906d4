#!/usr/bin/env bash
# npm run demo: the offline tour (tools/demo/tour.ts). Needs what bash tools/setup.sh installs,
# and root, because the three test hosts are network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in nix nix-instantiate ssh ssh-keygen /usr/sbin/sshd ip unshare nsenter /bin/busybox git; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "demo: missing ${missing[*]}: run bash tools/setup.sh first." >&2
  exit 1
fi
if [ ! -d node_modules/nx ]; then
  echo "demo: node_modules is missing: run bash tools/setup.sh (it runs npm ci) first." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: the test hosts are network namespaces, which need root: run it as root." >&2
  exit 1
fi
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
exec node -r @swc-node/register tools/demo/tour.ts "$@"
