// The one place that spawns nix, ssh and git: argument arrays only, streamed output, timeouts.
import { spawn } from 'node:child_process';
import { shQuote } from './sh-quote';

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
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  durationMs: number;
}

const TAIL_BYTES = 64 * 1024;
/** Node fires a longer timer after 1 ms, so no timeout may be longer than this. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
    readonly spawnError?: Error,
  ) {
    super(CommandError.summary(command, args, code, signal, stderr, timedOut, spawnError));
    this.name = 'CommandError';
  }

  /** The last meaningful stderr line: usually Nix's or ssh's own reason. */
  get reason(): string {
    return lastErrorLine(this.stderr) ?? this.message;
  }

  static summary(
    command: string,
    args: string[],
    code: number | null,
    signal: NodeJS.Signals | null,
    stderr: string,
    timedOut: boolean,
    spawnError?: Error,
  ): string {
    const shown = formatCommand(command, args);
    if (spawnError) {
      const hint = (spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? ` ("${command}" is not on PATH; install it first)` : '';
      return `${shown} could not start: ${spawnError.message}${hint}`;
    }
    if (timedOut) return `${shown} timed out`;
    const why = lastErrorLine(stderr);
    const status = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    return `${shown} ${status}${why ? `: ${why}` : ''}`;
  }
}

/** Picks the line a person needs from a tool's stderr: Nix's "error:" line if there is one. */
export function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter(Boolean);
  const error = lines.find((l) => l.startsWith('error:'));
  return error ?? lines[lines.length - 1];
}

/** Quotes a command for display only; it is never passed to a shell. */
export function formatCommand(command: string, args: string[]): string {
  return [command, ...args].map(shQuote).join(' ');
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0 && options.timeoutMs <= MAX_TIMEOUT_MS)) {
    return Promise.reject(new Error(`${formatCommand(command, args)}: a timeout of ${options.timeoutMs} ms is outside 1..${MAX_TIMEOUT_MS} ms; nothing was run.`));
  }
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
    let spawnError: Error | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            kill('SIGTERM');
            setTimeout(() => kill('SIGKILL'), 2000).unref();
          }, options.timeoutMs);

    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stdout += text;
      if (options.streamStdout) log.write(chunk);
      if (options.onStdoutLine) {
        const lines = (pendingOut + text).split(/\r?\n/);
        pendingOut = lines.pop() ?? '';
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
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (pending && options.onStderrLine) options.onStderrLine(pending);
      if (pendingOut && options.onStdoutLine) options.onStdoutLine(pendingOut);
      const durationMs = Date.now() - started;
      if (code === 0 && !timedOut && !spawnError) {
        resolve({ stdout, stderr, code, durationMs });
      } else {
        reject(new CommandError(command, args, code, signal, stdout, stderr, timedOut, spawnError));
      }
    });
  });
}
