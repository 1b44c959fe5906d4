// A deploy Target for unit specs: answers each remote script the way a host would, records
// every call, and fails on demand (a lost connection is ssh's exit 255, as with a real host).
//
// It also checks what it is sent, as a host's scripts would rely on it: every activation,
// commit and rollback carries the state the lock read (current system, profile, profile link,
// highest generation) and the lock's own token and folder, and the unlock names that token.
// A call that breaks this fails the spec. Its default host state is one where the running
// system, the profile and the profile's link all differ, and the highest generation is not
// the profile's (an earlier deploy failed): code that mixes them up does not pass by luck.
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

export const FAKE_CURRENT = '/nix/store/c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1-nixos-system-running';
export const FAKE_PROFILE = '/nix/store/p2p2p2p2p2p2p2p2p2p2p2p2p2p2p2p2-nixos-system-profile';
/** The host's state under the lock by default: generation 41 is the profile's, 43 the highest (42 and 43 failed). */
export const FAKE_STATE = { current: FAKE_CURRENT, profile: FAKE_PROFILE, profileLink: 'system-41-link', maxGeneration: '43' };
export const lockAnswer = (s: Partial<typeof FAKE_STATE> = {}): Answer => {
  const st = { ...FAKE_STATE, ...s };
  return { stdout: `current=${st.current}\nprofile=${st.profile}\nprofile-link=${st.profileLink}\ngeneration-max=${st.maxGeneration}\n` };
};

/** The DeployContext fields, in contextArgs' order (the last 14 words of an activation-phase argv). */
const CONTEXT_FIELDS = ['profile', 'outPath', 'mode', 'runDir', 'windowSeconds', 'activationSeconds', 'previousCurrent', 'lockDir', 'setProfile', 'previousProfile', 'previousProfileLink', 'currentSystemPath', 'switchGeneration', 'maxGeneration'] as const;
export type SentContext = Record<(typeof CONTEXT_FIELDS)[number], string>;

/** Reads the context back from an argv, positional or `name=value` words alike. */
export function contextOf(argv: string[]): SentContext {
  const words = argv.slice(-CONTEXT_FIELDS.length).map((w) => w.replace(/^[a-z_]+=/, ''));
  return Object.fromEntries(CONTEXT_FIELDS.map((f, i) => [f, words[i]])) as SentContext;
}

const kv = (stdout: string) => Object.fromEntries(stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

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
  /** Every check that failed: a rejected call may be swallowed (unlock is best effort), so specs read these. */
  readonly violations: string[] = [];
  /** The context of every activate, commit and rollback, in order. */
  readonly contexts: Array<{ step: Step; ctx: SentContext }> = [];
  /** What the last successful lock call read and which token and folder it locked. */
  private locked?: { state: Record<string, string>; token: string; lockDir: string };

  private readonly defaults: Partial<Record<Step, Answer>>;

  /** Each step's answer when none is queued; the lock reads FAKE_STATE unless told otherwise. */
  constructor(defaults: Partial<Record<Step, Answer>> = {}) {
    this.defaults = { lock: lockAnswer(), ...defaults };
  }

  /** Throws (failing the call, and so the spec) when an argv does not carry what the lock read. */
  private check(step: Step, argv: string[]): void {
    if (step === 'lock' || step === 'break-lock') return;
    if (step === 'unlock') {
      const token = argv[argv.length - 1].replace(/^token=/, '');
      if (this.locked && token !== this.locked.token) throw new Error(`FakeTarget: unlock with token ${token}, but the lock holds ${this.locked.token}`);
      return;
    }
    if (!['activate', 'commit', 'rollback'].includes(step)) return;
    const ctx = contextOf(argv);
    this.contexts.push({ step, ctx });
    if (!this.locked) throw new Error(`FakeTarget: ${step} before the lock was taken`);
    const { state, token, lockDir } = this.locked;
    const want: Partial<SentContext> = { previousCurrent: state.current ?? '', previousProfile: state.profile ?? '', previousProfileLink: state['profile-link'] ?? '', maxGeneration: state['generation-max'] ?? '', lockDir };
    for (const [field, value] of Object.entries(want)) {
      if (ctx[field as keyof SentContext] !== value) throw new Error(`FakeTarget: ${step} sent ${field}=${ctx[field as keyof SentContext]}, but the lock read ${value}`);
    }
    if (!ctx.runDir.endsWith(`/${token}`)) throw new Error(`FakeTarget: ${step} runs in ${ctx.runDir}, not the lock token's folder (${token})`);
    const first = this.contexts[0].ctx;
    const changed = CONTEXT_FIELDS.filter((f) => ctx[f] !== first[f]);
    if (changed.length > 0) throw new Error(`FakeTarget: ${step} sent another context than the activation (${changed.join(', ')})`);
  }

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
    try {
      this.check(step, argv);
    } catch (e) {
      this.violations.push((e as Error).message);
      return Promise.reject(e);
    }
    if (step === 'lock' && a.fail === undefined) {
      const owner = argv.find((w) => /token=[A-Za-z0-9]+ by /.test(w)) ?? '';
      this.locked = { state: kv(a.stdout ?? ''), token: /token=([A-Za-z0-9]+)/.exec(owner)?.[1] ?? '', lockDir: argv[4].replace(/^lock_dir=/, '') };
    }
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
