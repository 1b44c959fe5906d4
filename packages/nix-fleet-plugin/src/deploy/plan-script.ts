// The one read-only remote script of --mode=plan: what the host runs, and what it lacks.
//
// Constant text with positional arguments, like remote-scripts.ts. It takes no lock and
// writes nothing: it reads /run/current-system, lists that system's closure with sizes
// (nix-store: NixOS need not enable the experimental `nix` command), and checks which of the
// new closure's paths (on stdin: too many for a command line) the host does not hold.
// A path that does not exist is missing without asking Nix, so a host with an empty /nix
// gets no Nix database created by a plan.

/** Exit code of the script when nix-store is missing or fails on the host. */
export const PLAN_READ_FAILED = 3;

/**
 * $1 the running-system link. stdin: store paths, one a line. Prints `current=PATH`, then for
 * each path of the running closure `running=PATH` (in order) and `size=BYTES` (same order),
 * then `missing=PATH` for each path of stdin the host lacks, and `done=1` last.
 */
export const PLAN_READ = `
cur=
if [ -e "$1" ]; then cur=$(readlink -f "$1"); fi
echo "current=$cur"
want=$(cat)
command -v nix-store >/dev/null 2>&1 || { echo "nix-fleet: nix-store is not on PATH on this host" >&2; exit 3; }
if [ -n "$cur" ]; then
  paths=$(nix-store -qR "$cur") || exit 3
  sizes=$(printf '%s\\n' "$paths" | xargs nix-store -q --size) || exit 3
  printf '%s\\n' "$paths" | sed 's/^/running=/'
  printf '%s\\n' "$sizes" | sed 's/^/size=/'
fi
printf '%s\\n' "$want" | while IFS= read -r p; do if [ -n "$p" ] && [ ! -e "$p" ]; then echo "missing=$p"; fi; done
exists=$(printf '%s\\n' "$want" | while IFS= read -r p; do if [ -n "$p" ] && [ -e "$p" ]; then printf '%s\\n' "$p"; fi; done)
if [ -n "$exists" ]; then
  invalid=$(printf '%s\\n' "$exists" | xargs nix-store --check-validity --print-invalid) || exit 3
  printf '%s\\n' "$invalid" | sed -e '/^$/d' -e 's/^/missing=/'
fi
echo "done=1"
`;

export const planReadArgv = (currentSystem: string) => ['sh', '-c', PLAN_READ, 'nix-fleet', currentSystem];

export interface HostStoreState {
  /** The running system ('' on a host that runs none yet). */
  current: string;
  /** The running system's closure with each path's own (NAR) size. */
  running: Array<{ path: string; narSize: number }>;
  /** Paths of the new closure the host does not hold. */
  missing: string[];
}

/** Reads the script's output; throws when it stopped early or its lists do not pair up. */
export function parsePlanRead(stdout: string): HostStoreState {
  let current = '';
  const paths: string[] = [];
  const sizes: number[] = [];
  const missing: string[] = [];
  let done = false;
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const [key, value] = [line.slice(0, eq), line.slice(eq + 1).trim()];
    if (key === 'current') current = value;
    else if (key === 'running') paths.push(value);
    else if (key === 'size') sizes.push(Number(value));
    else if (key === 'missing') missing.push(value);
    else if (key === 'done') done = true;
  }
  if (!done) throw new Error('the plan script on the host stopped before it finished');
  if (paths.length !== sizes.length || sizes.some((n) => !Number.isFinite(n))) {
    throw new Error(`nix-store on the host listed ${paths.length} paths of ${current} but ${sizes.length} sizes`);
  }
  return { current, running: paths.map((path, i) => ({ path, narSize: sizes[i] })), missing };
}
