#!/usr/bin/env bash
# Syntax-checks every .nix file of the repo: see tools/check-nix-parse.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nix-instantiate >/dev/null 2>&1; then
  echo "check-nix-parse: nix-instantiate not found; install Nix (tools/install-system-deps.sh)." >&2
  exit 2
fi
exec node -r @swc-node/register tools/check-nix-parse.ts
