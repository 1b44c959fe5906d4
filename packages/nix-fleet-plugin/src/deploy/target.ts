// One deploy target: runs quoted remote argv over ssh and copies closures, through run().
// The deploy sequence sees only the Target interface, so its unit specs drive it with a fake.
import { nixCopyArgs, nixSshOpts, sshCommandArgs, sshEffectiveConfigArgs, sshNgStoreUri, withPrivilege } from '../ssh/argv';
import { SshMaster } from '../ssh/master';
import { checkHostKeyPolicy } from '../ssh/options';
import { abortReason } from '../process/command-error';
import { AbortedError, CommandError, run, type RunOptions, type RunResult } from '../process/run';
import { boundedArgv, TIMED_OUT_EXITS } from './remote-scripts';
import { checkKnownHostKey } from '../ssh/known-hosts';
import type { DeployPlan } from './options';
import { hostKeyHint } from '../ssh/host-key-hint';
import { buildOnTarget } from './remote-build';

/** ssh's own exit code for "could not connect / connection lost"; our remote scripts never use it. */
export const SSH_CONNECTION_FAILED = 255;

export function isConnectionFailure(e: unknown): boolean {
  return e instanceof CommandError && (e.code === SSH_CONNECTION_FAILED || e.timedOut);
}

/** The words of a failed step a person needs: the tool's own stderr lines, trimmed. */
export function outputOf(e: unknown): string {
  if (!(e instanceof CommandError)) return (e as Error).message;
  const text = `${e.stdout}\n${e.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-8)
    .join('\n');
  if (e.timedOut) return `timed out${text ? `:\n${text}` : ''}`;
  const hint = hostKeyHint(e.stderr);
  // A command that printed nothing (or could not start): its message says why.
  return `${text || e.message}${hint ? `\n${hint}` : ''}`;
}

/** The argv the target runs: the command under the target's own timeout (see boundedArgv). */
export function boundedRemote(remote: string[], opts: Pick<ExecOptions, 'timeoutMs' | 'remoteSeconds'>): string[] {
  return boundedArgv(opts.remoteSeconds ?? opts.timeoutMs / 1000, remote);
}

/** Runs a bounded argv: the target's timeout ending it (exit 124 or 137) is a timeout too. */
export async function runBounded(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  try {
    return await run(command, args, options);
  } catch (e) {
    // (A local timeout ends ssh by a signal, with no exit code: it is one already.)
    if (e instanceof CommandError && TIMED_OUT_EXITS.includes(e.code ?? -1)) {
      throw new CommandError(e.command, e.args, e.code, e.signal, e.stdout, e.stderr, true);
    }
    throw e;
  }
}

export interface ExecOptions {
  /** The local limit: ssh is stopped after this long. */
  timeoutMs: number;
  /** The target stops the command after this many seconds; defaults to the local limit. */
  remoteSeconds?: number;
  /** A new connection, never a shared one: proves the host can still be reached. */
  fresh?: boolean;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Sent on stdin: a list too long for a command line (ssh joins argv into one string). */
  input?: string;
  /** Keep only this much of stdout: a command whose output is not ours (see RunOptions). */
  stdoutTailBytes?: number;
}

/** What the deploy sequence needs of a host: run a remote argv, copy a closure, vet ssh. */
export interface Target {
  /** Every remote call is bounded: on the target by its own timeout, here by timeoutMs. */
  exec(remote: string[], opts: ExecOptions): Promise<RunResult>;
  copy(outPath: string): Promise<RunResult>;
  /** Refuses a configuration that would not check the host's key, before any connection. */
  checkHostKeys(): Promise<void>;
  /** Ends what the target keeps open between calls (a shared ssh connection); safe to call twice. */
  close?(): Promise<void>;
  /** Aborted when the deploy is stopped from outside: every call then ends, and no new one starts. */
  readonly signal?: AbortSignal;
}

export interface SshHostOptions {
  /**
   * Share one ssh connection (a master in a private control folder) among the calls that are
   * not `fresh`, nix copy included; the owner calls close() when done, also after a failure.
   */
  shared?: boolean;
  /** Stops every call, and the shared connection, when aborted (see stop-signal.ts). */
  signal?: AbortSignal;
}

/** A host reached over ssh: the one real Target. */
export class SshHost implements Target {
  private readonly master?: SshMaster;
  readonly signal?: AbortSignal;

  constructor(
    readonly plan: DeployPlan,
    private readonly log: (line: string) => void,
    options: SshHostOptions = {},
  ) {
    if (options.shared) this.master = new SshMaster(plan.target);
    this.signal = options.signal;
    // The private control folder goes at once, whatever the deploy is waiting for.
    this.signal?.addEventListener('abort', () => this.master?.closeNow(), { once: true });
  }

  /** Refuses to start anything (a new shared connection included) once the deploy was stopped. */
  private checkNotStopped(what: string): void {
    if (this.signal?.aborted) throw new AbortedError(what, [], abortReason(this.signal));
  }

  /**
   * The shared connection's control socket, (re)started when needed; undefined when not shared.
   * Its login gets the time the lock step gave its own connection before.
   */
  private async controlPath(): Promise<string | undefined> {
    return this.master?.ensure((this.plan.target.connectTimeout + 30) * 1000);
  }

  /** The private control folder of the shared connection while it exists (for tests). */
  get controlDir(): string | undefined {
    return this.master?.controlDir;
  }

  /** Runs a remote argv (privileged when targetUser is not root). */
  async exec(remote: string[], opts: ExecOptions): Promise<RunResult> {
    this.checkNotStopped('ssh');
    const argv = withPrivilege(boundedRemote(remote, opts), this.plan.target.user, this.plan.privilegeCommand);
    const controlPath = opts.fresh ? undefined : await this.controlPath();
    return runBounded('ssh', sshCommandArgs(this.plan.target, argv, { fresh: opts.fresh, controlPath }), {
      timeoutMs: opts.timeoutMs,
      onStdoutLine: opts.onStdoutLine,
      onStderrLine: opts.onStderrLine,
      input: opts.input,
      stdoutTailBytes: opts.stdoutTailBytes,
      signal: this.signal,
    });
  }

  /** Reads the ssh configuration for the target without connecting and refuses one that skips host key checks. */
  async checkHostKeys(): Promise<void> {
    // Remote commands use our options; nix copy puts an inherited NIX_SSHOPTS first: check both.
    const inherited = (process.env.NIX_SSHOPTS ?? '').split(/\s+/).filter(Boolean);
    for (const before of inherited.length > 0 ? [[], inherited] : [[]]) {
      const r = await run('ssh', sshEffectiveConfigArgs(this.plan.target, before), { timeoutMs: 30000 });
      checkHostKeyPolicy(r.stdout, this.plan.target.host);
      if (this.plan.target.hostKeyAlias) checkKnownHostKey(r.stdout, this.plan.target.hostKeyAlias);
    }
  }

  /** nix copy of the closure (or, for buildOn remote, of the derivation, built there); NIX_SSHOPTS carries the same ssh options as every other call. */
  async copy(outPath: string, derivation = false): Promise<RunResult> {
    const build = this.plan.remoteBuild;
    if (build && !derivation) return buildOnTarget({ copyDerivation: (drv) => this.copy(drv, true), exec: (argv, opts) => this.exec(argv, opts) }, this.plan, build, outPath, this.log);
    this.checkNotStopped('nix copy');
    const env = { ...process.env, NIX_SSHOPTS: nixSshOpts(this.plan.target, process.env.NIX_SSHOPTS, await this.controlPath()) };
    const args = nixCopyArgs({
      storeUri: sshNgStoreUri(this.plan.target),
      outPath,
      substituteOnTarget: this.plan.substituteOnTarget,
      checkSigs: this.plan.checkSigs,
      derivation,
    });
    return run('nix', args, {
      env,
      timeoutMs: this.plan.activationTimeout * 1000,
      onStderrLine: (line) => line.trim() && this.log(`  ${line.trim()}`),
      echo: true,
      signal: this.signal,
      // nix starts ssh: a stop must end both.
      processGroup: true,
    });
  }

  async close(): Promise<void> {
    await this.master?.close();
  }
}
