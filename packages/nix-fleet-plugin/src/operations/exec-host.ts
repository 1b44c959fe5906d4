// `exec`: one command on one host. The command is the user's own shell text for the TARGET:
// it travels as the single argument of `sh -c` (quoted by shQuote for ssh, never parsed here)
// and its output comes back line by line, prefixed with the host's name.
import { CommandError } from '../process/run';
import { TIMED_OUT_EXITS } from '../deploy/remote-scripts';
import { outputOf, SSH_CONNECTION_FAILED, type Target } from '../deploy/target';

export interface ExecResult {
  host: string;
  command: string;
  /** ok: exit 0; failed: another exit code; unreachable: ssh could not connect (or the command exited 255); timed-out. */
  status: 'ok' | 'failed' | 'unreachable' | 'timed-out';
  /** The command's exit code; null when it never ran to an end. */
  exitCode: number | null;
  /** The last lines of stdout and stderr, for dist/exec/hosts/<host>.json. */
  stdout: string;
  stderr: string;
  message?: string;
  local: boolean;
  durationMs: number;
  finishedAt: number;
}

/**
 * The argv run on the target: the command text is one argument of sh -c. The Target runs it
 * under the target's own `timeout` (see boundedArgv); exit 124 or 137 means the time ran out there.
 */
export const execArgv = (command: string) => ['sh', '-c', command];

const TAIL = 8192;

/**
 * A host's line as text the terminal shows and never obeys: a carriage return or an escape
 * sequence from the host could otherwise overwrite the host prefix, forge another host's line,
 * or drive the operator's terminal (OSC 52 writes the clipboard). Tabs stay.
 */
export const visibleLine = (line: string) =>
  line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => (c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
const tail = (text: string) => text.slice(-TAIL);

export async function execHost(
  host: string,
  command: string,
  t: Target,
  opts: { timeoutSeconds: number; local: boolean; out: (line: string) => void; err: (line: string) => void },
): Promise<ExecResult> {
  const started = Date.now();
  const done = (r: Pick<ExecResult, 'status' | 'exitCode' | 'stdout' | 'stderr'> & { message?: string }): ExecResult => ({
    host,
    command,
    local: opts.local,
    ...r,
    durationMs: Date.now() - started,
    finishedAt: Date.now(),
  });
  try {
    await t.checkHostKeys();
  } catch (e) {
    return done({ status: 'unreachable', exitCode: null, stdout: '', stderr: '', message: outputOf(e) });
  }
  try {
    const r = await t.exec(execArgv(command), {
      remoteSeconds: opts.timeoutSeconds,
      // The target stops the command; this only ends an ssh connection that hangs beyond that.
      timeoutMs: (opts.timeoutSeconds + 30) * 1000,
      onStdoutLine: (l) => opts.out(`${host} | ${visibleLine(l)}`),
      onStderrLine: (l) => opts.err(`${host} | ${visibleLine(l)}`),
      // Lines go out as they come; only the tail is kept (a command may print without end).
      stdoutTailBytes: TAIL,
    });
    return done({ status: 'ok', exitCode: 0, stdout: tail(r.stdout), stderr: tail(r.stderr) });
  } catch (e) {
    if (!(e instanceof CommandError)) return done({ status: 'failed', exitCode: null, stdout: '', stderr: '', message: (e as Error).message });
    const base = { stdout: tail(e.stdout), stderr: tail(e.stderr) };
    if (e.code !== null && TIMED_OUT_EXITS.includes(e.code)) {
      return done({ ...base, status: 'timed-out', exitCode: e.code, message: `did not finish within ${opts.timeoutSeconds}s (--timeout); the target's timeout stopped it` });
    }
    if (e.timedOut) {
      return done({ ...base, status: 'timed-out', exitCode: null, message: `no answer within ${opts.timeoutSeconds + 30}s; the connection was closed, and the command may still run on the host` });
    }
    if (e.spawnError) return done({ ...base, status: 'failed', exitCode: null, message: e.message });
    if (e.code === SSH_CONNECTION_FAILED && !opts.local) {
      return done({ ...base, status: 'unreachable', exitCode: e.code, message: `ssh exited 255: ${e.reason} (the host is unreachable, or the command itself exited 255)` });
    }
    return done({ ...base, status: 'failed', exitCode: e.code, message: `exit code ${e.code ?? e.signal}` });
  }
}
