// The one place that spawns nix, ssh and git: argument arrays only, streamed output, timeouts.
import { spawn } from 'node:child_process';
import { abortReason, AbortedError, CommandError, formatCommand } from './command-error';

export { AbortedError, CommandError, firstLine, formatCommand, lastErrorLine } from './command-error';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command (SIGTERM, then SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  /** Copy the command's stderr to ours as it comes (progress, build logs). */
  streamStderr?: boolean;
  /** Copy stdout too; it is captured either way. */
  streamStdout?: boolean;
  /** Called with each complete stderr line, e.g. to report progress. */
  onStderrLine?: (line: string) => void;
  /** Called with each complete stdout line (a followed log); stdout is captured either way. */
  onStdoutLine?: (line: string) => void;
  input?: string;
  /** Print "> nix build ..." before running. */
  echo?: boolean;
  /** Where echo and streamed output go; defaults to process.stderr. */
  log?: NodeJS.WritableStream;
  /**
   * Run in a process group of its own and signal the whole group on timeout: a shell's
   * children (sh -c "sleep 100") would otherwise keep the pipes open after sh is killed.
   */
  processGroup?: boolean;
  /** Stops the command (as a timeout does) when aborted; rejects with an AbortedError. */
  signal?: AbortSignal;
  /** How long to wait for the pipes after the command exited; see EXIT_GRACE_MS. */
  exitGraceMs?: number;
  /**
   * Keep only this much of stdout (and of a line without end), for commands whose output is not
   * ours (health checks, exec): a command that prints without end would otherwise outgrow the
   * longest string V8 holds and kill this process.
   */
  stdoutTailBytes?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  durationMs: number;
}

const TAIL_BYTES = 64 * 1024;
/**
 * After the command exits, its output pipes get this long to close. A process it left behind
 * can hold them open for ever: a shell's background child, or the master of a shared ssh
 * connection, which holds a session's pipes until the remote command ends. So the runner
 * settles on the command's exit, not on its pipes.
 */
export const EXIT_GRACE_MS = 2000;
/** After SIGTERM, a command that has not exited gets SIGKILL this much later. */
const KILL_AFTER_MS = 2000;
/** Node fires a longer timer after 1 ms, so no timeout may be longer than this. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0 && options.timeoutMs <= MAX_TIMEOUT_MS)) {
    return Promise.reject(new Error(`${formatCommand(command, args)}: a timeout of ${options.timeoutMs} ms is outside 1..${MAX_TIMEOUT_MS} ms; nothing was run.`));
  }
  if (options.signal?.aborted) return Promise.reject(new AbortedError(command, args, abortReason(options.signal)));
  const log = options.log ?? process.stderr;
  if (options.echo) log.write(`> ${formatCommand(command, args)}\n`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: options.processGroup === true,
    });
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (options.processGroup && child.pid) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // already gone
      }
    };
    let stdout = '';
    let stderr = '';
    let pending = '';
    let pendingOut = '';
    let timedOut = false;
    let aborted: string | undefined;
    let spawnError: Error | undefined;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), KILL_AFTER_MS).unref();
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs);
    const onAbort = () => {
      aborted = abortReason(options.signal!);
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      const cap = options.stdoutTailBytes;
      stdout = cap === undefined ? stdout + text : (stdout + text).slice(-cap);
      if (options.streamStdout) log.write(chunk);
      if (options.onStdoutLine) {
        const lines = (pendingOut + text).split(/\r?\n/);
        pendingOut = lines.pop() ?? '';
        if (cap !== undefined) pendingOut = pendingOut.slice(-cap);
        lines.forEach((l) => options.onStdoutLine?.(l));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr = (stderr + text).slice(-TAIL_BYTES);
      if (options.streamStderr) log.write(chunk);
      if (options.onStderrLine) {
        const lines = (pending + text).split(/\r?\n|\r/);
        pending = lines.pop() ?? '';
        lines.forEach((l) => options.onStderrLine?.(l));
      }
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', (e) => {
      spawnError = e;
    });
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      if (pending && options.onStderrLine) options.onStderrLine(pending);
      if (pendingOut && options.onStdoutLine) options.onStdoutLine(pendingOut);
      const durationMs = Date.now() - started;
      if (aborted !== undefined) {
        reject(new AbortedError(command, args, aborted));
      } else if (code === 0 && !timedOut && !spawnError) {
        resolve({ stdout, stderr, code, durationMs });
      } else {
        reject(new CommandError(command, args, code, signal, stdout, stderr, timedOut, spawnError));
      }
    };
    child.on('exit', (code, signal) => {
      graceTimer = setTimeout(() => {
        // Whatever still holds the pipes is not the command: stop reading them.
        child.stdout?.destroy();
        child.stderr?.destroy();
        settle(code, signal);
      }, options.exitGraceMs ?? EXIT_GRACE_MS);
    });
    child.on('close', settle);
  });
}
