// The one read-only remote script of --mode=plan: what the host runs, and what it lacks.
//
// remote/plan-read.sh, run as constant text with a named parameter like remote-scripts.ts. It
// takes no lock and writes nothing: it reads /run/current-system, lists that system's closure with
// sizes, and checks which of the new closure's paths (on stdin) the host does not hold.
import { remoteScript } from './remote/script-text';

/** Exit code of the script when nix-store is missing or fails on the host. */
export const PLAN_READ_FAILED = 3;

/**
 * current_system= the running-system link. stdin: store paths, one a line. Prints `current=PATH`,
 * then for each path of the running closure `running=PATH` (in order) and `size=BYTES` (same
 * order), then `missing=PATH` for each path of stdin the host lacks, and `done=1` last.
 */
export const PLAN_READ = remoteScript('plan-read.sh');

export const planReadArgv = (currentSystem: string) => ['sh', '-c', PLAN_READ, 'nix-fleet', `current_system=${currentSystem}`];

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
