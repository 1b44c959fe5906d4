#!/usr/bin/env bash
# Runs a TypeScript entry point that starts network-namespace test hosts (npm run demo, npm run
# lab) after checking what it needs: the tools bash tools/setup.sh installs, node_modules, root.
# Usage: with-test-hosts.sh <name> <script.ts> [args...]
set -euo pipefail
name=$1
script=$2
shift 2
cd "$(dirname "$0")/.."
missing=()
for tool in nix nix-instantiate ssh ssh-keygen /usr/sbin/sshd ip unshare nsenter /bin/busybox git; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "$name: missing ${missing[*]}: run bash tools/setup.sh first." >&2
  exit 1
fi
if [ ! -d node_modules/nx ]; then
  echo "$name: node_modules is missing: run bash tools/setup.sh (it runs npm ci) first." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "$name: the test hosts are network namespaces, which need root: run it as root." >&2
  exit 1
fi
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
exec node -r @swc-node/register "$script" "$@"
