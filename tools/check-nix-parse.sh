#!/usr/bin/env bash
# Syntax-checks every .nix file of the repo (tracked, or untracked but not ignored) with
# `nix-instantiate --parse`, which also catches duplicate attributes and undefined variables.
# Prints how many files it checked; exits non-zero naming each file that fails.
set -uo pipefail

cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)" || exit 2

if ! command -v nix-instantiate >/dev/null 2>&1; then
  echo "check-nix-parse: nix-instantiate not found; install Nix (tools/install-system-deps.sh)." >&2
  exit 2
fi

mapfile -d '' files < <(git ls-files -z -co --exclude-standard -- '*.nix')

failed=()
checked=0
for file in "${files[@]}"; do
  # A tracked file deleted in the working tree is not ours to parse.
  [ -f "$file" ] || continue
  checked=$((checked + 1))
  if ! output=$(nix-instantiate --parse "$file" 2>&1 >/dev/null); then
    failed+=("$file")
    printf 'FAIL %s\n%s\n' "$file" "$output" >&2
  fi
done

echo "check-nix-parse: ${checked} .nix files checked, ${#failed[@]} failed."
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'check-nix-parse: does not parse: %s\n' "${failed[@]}" >&2
  exit 1
fi
