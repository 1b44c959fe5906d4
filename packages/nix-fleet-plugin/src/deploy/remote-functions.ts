// Shell functions the remote scripts share for stopping work and pruning history on the target:
// remote/lib-stop.sh, lib-generations.sh and lib-prune.sh, plain POSIX sh (dash, bash, busybox ash).
import { remoteScript } from './remote/script-text';

/**
 * The most a rollback waits for a stopped activation before it gives up: stop_grace (in
 * remote/lib-stop.sh, and TimeoutStopSec of the activation unit) between SIGTERM and SIGKILL,
 * and as long again for the processes to be gone.
 */
export const STOP_WAIT_SECONDS = 10;
/** Deploy state folders kept on the target; older ones are removed under the next lock. */
export const KEPT_RUNS = 10;

/** Stopping process groups and units, a profile's generations, pruning deploy state (remote/lib-*.sh). */
export const REMOTE_FUNCTIONS = remoteScript('lib-stop.sh', 'lib-generations.sh', 'lib-prune.sh');
