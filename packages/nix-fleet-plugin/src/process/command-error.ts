// The errors the runner reports, and how commands are shown in them.
import { shQuote } from './sh-quote';

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

/** A run stopped because its AbortSignal fired (SIGINT, SIGTERM, nx gone). */
export class AbortedError extends Error {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly why: string,
  ) {
    super(`${formatCommand(command, args)} was stopped: ${why}`);
    this.name = 'AbortedError';
  }
}

/** What an AbortSignal was aborted with, for messages. */
export const abortReason = (signal: AbortSignal) => (typeof signal.reason === 'string' ? signal.reason : 'aborted');

/** Picks the line a person needs from a tool's stderr: Nix's "error:" line if there is one. */
export function lastErrorLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').trim())
    .filter(Boolean);
  const error = lines.find((l) => l.startsWith('error:'));
  return error ?? lines[lines.length - 1];
}

/** The first line of a message that is not blank, cut to `max` characters: for table cells and one-line logs. */
export function firstLine(text: string | undefined, max = Infinity): string {
  const lines = (text ?? '').split('\n');
  return (lines.find((l) => l.trim()) ?? '').slice(0, max);
}

/** Quotes a command for display only; it is never passed to a shell. */
export function formatCommand(command: string, args: string[]): string {
  return [command, ...args].map(shQuote).join(' ');
}
