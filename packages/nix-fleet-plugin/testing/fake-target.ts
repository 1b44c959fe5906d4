// A deploy Target for unit specs: answers each remote script the way a host would, records
// every call, and fails on demand (a lost connection is ssh's exit 255, as with a real host).
import { AbortedError, CommandError, type RunResult } from '../src/process/run';
import { ACTIVATE, BREAK_LOCK, COMMIT, FOLLOW, LOCK_AND_READ, ROLLBACK, UNLOCK } from '../src/deploy/remote-scripts';
import { PLAN_READ } from '../src/deploy/plan-script';
import type { ExecOptions, Target } from '../src/deploy/target';
import { LIST_GENERATIONS } from '../src/operations/generations-script';

export type Step = 'plan-read' | 'lock' | 'unlock' | 'break-lock' | 'activate' | 'follow' | 'commit' | 'rollback' | 'probe' | 'health' | 'copy' | 'host-keys' | 'generations';

const SCRIPTS: Array<[string, Step]> = [
  [LOCK_AND_READ, 'lock'],
  [UNLOCK, 'unlock'],
  [BREAK_LOCK, 'break-lock'],
  [ACTIVATE, 'activate'],
  [FOLLOW, 'follow'],
  [COMMIT, 'commit'],
  [ROLLBACK, 'rollback'],
  [LIST_GENERATIONS, 'generations'],
  [PLAN_READ, 'plan-read'],
];

export function stepOf(argv: string[]): Step {
  if (argv[0] === 'readlink') return 'probe';
  return SCRIPTS.find(([script]) => argv[2] === script)?.[1] ?? 'health';
}

/** What one call answers: stdout of a success, or a failure with an exit code. */
export type Answer = { stdout?: string; stderr?: string; fail?: number };

export class FakeTarget implements Target {
  readonly calls: Step[] = [];
  /** The argv of every exec, in order. */
  readonly argvs: string[][] = [];
  /** What each exec sent on stdin, in call order ('' for none). */
  readonly inputs: string[] = [];
  /** Each exec's step, with "+fresh" when it asked for a new connection. */
  readonly connections: string[] = [];
  private readonly answers = new Map<Step, Answer[]>();
  private readonly stopper = new AbortController();
  private stop?: { step: Step; why: string };
  readonly signal: AbortSignal = this.stopper.signal;

  constructor(private readonly defaults: Partial<Record<Step, Answer>> = {}) {}

  /** Queues answers for the next calls of a step; after them, the step's default (success). */
  on(step: Step, ...answers: Answer[]): this {
    this.answers.set(step, [...(this.answers.get(step) ?? []), ...answers]);
    return this;
  }

  /** The deploy is stopped from outside (SIGINT, nx gone) while this step runs. */
  stopAt(step: Step, why = 'SIGINT'): this {
    this.stop = { step, why };
    return this;
  }

  private answer(step: Step, argv: string[]): Promise<RunResult> {
    this.calls.push(step);
    if (this.stop?.step === step) this.stopper.abort(this.stop.why);
    if (this.signal.aborted) return Promise.reject(new AbortedError(argv[0] ?? step, argv.slice(1), String(this.signal.reason)));
    const a = this.answers.get(step)?.shift() ?? this.defaults[step] ?? {};
    if (a.fail !== undefined) {
      return Promise.reject(new CommandError(argv[0] ?? step, argv.slice(1), a.fail, null, a.stdout ?? '', a.stderr ?? '', false));
    }
    return Promise.resolve({ stdout: a.stdout ?? '', stderr: '', code: 0, durationMs: 1 });
  }

  exec(remote: string[], opts: ExecOptions): Promise<RunResult> {
    const step = stepOf(remote);
    this.argvs.push(remote);
    this.inputs.push(opts.input ?? '');
    this.connections.push(opts.fresh ? `${step}+fresh` : step);
    return this.answer(step, remote).then((r) => {
      r.stdout.split('\n').forEach((l) => opts.onStdoutLine?.(l));
      return r;
    });
  }

  copy(outPath: string): Promise<RunResult> {
    return this.answer('copy', ['nix', 'copy', outPath]);
  }

  checkHostKeys(): Promise<void> {
    return this.answer('host-keys', ['ssh', '-G']).then(() => undefined);
  }
}
