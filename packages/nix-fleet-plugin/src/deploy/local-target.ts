// The machine nix-fleet runs on as a deploy target: the same sequence without ssh. Remote
// argv run here (through sudo -n when not root); the system is already in the local store.
import type { RunResult } from '../process/run';
import { boundedRemote, runBounded, type ExecOptions, type Target } from './target';
import type { DeployPlan } from './options';
import { SshHost, type SshHostOptions } from './target';
import { buildOnTarget } from './remote-build';
import { addedForWave } from '../graph/waves';

/** host.json's targetHost that means "this machine". */
export const LOCAL_TARGET_HOST = 'localhost';

/** The argv to run here: privileged through sudo -n unless we already are root. */
export function localArgv(argv: string[], uid: number | undefined = process.getuid?.()): string[] {
  return uid === 0 ? argv : ['sudo', '-n', '--', ...argv];
}

export class LocalHost implements Target {
  constructor(
    private readonly uid = process.getuid?.(),
    private readonly plan?: DeployPlan,
    private readonly log: (line: string) => void = () => undefined,
    readonly signal?: AbortSignal,
  ) {}

  exec(remote: string[], opts: ExecOptions): Promise<RunResult> {
    const [command, ...args] = localArgv(boundedRemote(remote, opts), this.uid);
    // Its own process group, so a timeout stops what the command started too.
    return runBounded(command, args, { timeoutMs: opts.timeoutMs, onStdoutLine: opts.onStdoutLine, onStderrLine: opts.onStderrLine, input: opts.input, stdoutTailBytes: opts.stdoutTailBytes, processGroup: true, signal: this.signal });
  }

  /** Nothing to copy: the build put the system into this machine's store (buildOn remote builds it here, the target). */
  copy(outPath = ''): Promise<RunResult> {
    if (this.plan?.remoteBuild) return buildOnTarget({ exec: (argv, opts) => this.exec(argv, opts) }, this.plan, this.plan.remoteBuild, outPath, this.log);
    return Promise.resolve({ stdout: '', stderr: '', code: 0, durationMs: 0 });
  }

  /** No ssh, so no host key to check. */
  checkHostKeys(): Promise<void> {
    return Promise.resolve();
  }
}

/** --local is --targetHost=localhost: this machine, whatever host.json says. */
export function localOptions<T extends { local?: boolean; targetHost?: string }>(options: T): T {
  if (!options.local) return options;
  if (options.targetHost !== undefined && options.targetHost !== LOCAL_TARGET_HOST) {
    throw new Error(`--local and --targetHost=${options.targetHost} contradict each other: --local means this machine. Pass one of them.`);
  }
  return { ...options, targetHost: LOCAL_TARGET_HOST };
}

/**
 * A host is local when its targetHost is localhost (in host.json, or through --local) with no
 * port: localhost with a port is an ssh tunnel or a forwarded port to another machine, and is
 * reached over ssh like any host.
 */
export function isLocal(plan: Pick<DeployPlan, 'target'>): boolean {
  return plan.target.host === LOCAL_TARGET_HOST && plan.target.port === undefined;
}

type RunTask = { target: { target: string; project?: string }; overrides?: Record<string, unknown> };

/** This run's tasks of the target, without those Nx added only to keep the waves in order. */
export function selectedTasks(tasks: RunTask[], targetName: string | undefined): number {
  return tasks.filter((t) => t.target.target === targetName && !addedForWave(t.overrides ?? {}, t.target.project)).length;
}

/**
 * --local and --targetHost name one machine, so a run may send one host's system there: refuse
 * them when the run has more than one task of this target (run-many or affected would apply
 * every host's system to that one machine in turn).
 */
export function checkOneMachineTask(options: { local?: boolean; targetHost?: string }, tasks: RunTask[], targetName: string | undefined): void {
  if (!options.local && options.targetHost === undefined) return;
  const count = selectedTasks(tasks, targetName);
  if (count <= 1) return;
  if (options.local) {
    throw new Error(`--local applies a host's system to this machine, but this run has ${count} ${targetName} tasks. Run one host: nx run <host>:${targetName} --local.`);
  }
  throw new Error(
    `--targetHost=${options.targetHost} names one machine, but this run has ${count} ${targetName} tasks: each host would reach that machine in turn. ` +
      `Nothing was run. Run one host: nx run <host>:${targetName} --target-host=${options.targetHost}.`,
  );
}

export function targetFor(plan: DeployPlan, log: (line: string) => void, options: SshHostOptions = {}): Target {
  return isLocal(plan) ? new LocalHost(process.getuid?.(), plan, log, options.signal) : new SshHost(plan, log, options);
}
