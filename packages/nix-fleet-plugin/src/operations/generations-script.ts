// The shell program that lists a profile's generations on the target: constant text, values as
// positional parameters (as in src/deploy/remote-scripts.ts).

/**
 * $1 profile, $2 running-system link, $3 deploy state dir. Prints key=value lines:
 * current=<running system>, profile-link=<the profile's generation link>, one
 * generation=<number> <mtime> <1 if a NixOS system> <system> per generation link, and one
 * run=<mtime> <exit code|-> <decision|-> <system> per deploy run still recorded in $3 (/run:
 * cleared at reboot).
 */
export const LIST_GENERATIONS = `
resolve() { if [ -e "$1" ]; then readlink -f "$1"; fi; }
echo "current=$(resolve "$2")"
echo "profile-link=$(readlink "$1" 2>/dev/null)"
for l in "$1"-*-link; do
  [ -L "$l" ] || continue
  n=\${l#"$1"-}; n=\${n%-link}
  case "$n" in ''|*[!0-9]*) continue ;; esac
  s=$(readlink -f "$l")
  ok=0; [ -x "$s/bin/switch-to-configuration" ] && ok=1
  echo "generation=$n $(stat -c %Y "$l") $ok $s"
done
for f in "$3"/*/system; do
  [ -f "$f" ] || continue
  d=$(dirname "$f")
  rc=$(cat "$d/activation.rc" 2>/dev/null); res=$(cat "$d/decision/result" 2>/dev/null)
  echo "run=$(stat -c %Y "$d") \${rc:--} \${res:--} $(cat "$f")"
done
exit 0
`;

export const listGenerationsArgv = (profile: string, currentSystem: string, stateDir: string) =>
  ['sh', '-c', LIST_GENERATIONS, 'nix-fleet', profile, currentSystem, stateDir];
