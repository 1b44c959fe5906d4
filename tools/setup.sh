#!/usr/bin/env bash
# A new machine, ready: system tools (Nix with its store in /nix, OpenSSH, iproute2, busybox) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-system-deps.sh
npm ci --no-audit --no-fund
