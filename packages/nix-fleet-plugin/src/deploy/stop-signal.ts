// Stopping a deploy from outside: SIGINT, SIGTERM or SIGHUP, or nx gone (its IPC channel to this
// task process closed, or this process got a new parent). Each aborts one AbortSignal that every
// command of the deploy runs under (src/nix/run.ts): the deployer stops following, contacts the
// host no more, and leaves the decision to the target's watchdog.

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How often the parent process is looked at (it cannot be watched). */
const PARENT_POLL_MS = 500;

export interface DeployStop {
  signal: AbortSignal;
  /** Removes the handlers; the signal keeps its state. */
  dispose(): void;
}

/** What a process must offer to be watched: Node's process, or a stand-in in specs. */
export type Watched = Pick<NodeJS.Process, 'on' | 'off' | 'ppid' | 'connected' | 'pid'> & {
  stdout?: Pick<NodeJS.WriteStream, 'on' | 'off'>;
  stderr?: Pick<NodeJS.WriteStream, 'on' | 'off'>;
};

export function watchForStop(proc: Watched = process, pollMs = PARENT_POLL_MS): DeployStop {
  const controller = new AbortController();
  // A signal aborts once: a later abort keeps the first reason.
  const stop = (why: string) => controller.abort(why);
  const onSignal = SIGNALS.map((s) => [s, () => stop(s)] as const);
  onSignal.forEach(([s, h]) => proc.on(s, h));
  const onDisconnect = () => stop('nx is gone (its IPC channel closed)');
  const watchesIpc = proc.connected === true;
  if (watchesIpc) proc.on('disconnect', onDisconnect);
  const parent = proc.ppid;
  const poll = setInterval(() => {
    if (proc.ppid !== parent) stop(`nx is gone (parent process ${parent} ended)`);
  }, pollMs);
  poll.unref();
  // With nx gone, our output has no reader: a write must not kill the cleanup with EPIPE.
  const ignore = () => undefined;
  proc.stdout?.on('error', ignore);
  proc.stderr?.on('error', ignore);
  return {
    signal: controller.signal,
    dispose() {
      clearInterval(poll);
      onSignal.forEach(([s, h]) => proc.off(s, h));
      // Removing a listener that was never added (no IPC channel) does nothing.
      proc.off('disconnect', onDisconnect);
      proc.stdout?.off('error', ignore);
      proc.stderr?.off('error', ignore);
    },
  };
}

/** The exit code of a process stopped for `why`: 128 + the signal's number, else 1. */
export function stopExitCode(why: string): number {
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  return why in numbers ? 128 + numbers[why] : 1;
}
