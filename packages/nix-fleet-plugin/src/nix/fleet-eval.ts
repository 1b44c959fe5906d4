// One evaluation for all the hosts of a run, shared by their eval tasks.
//
// Nx runs each task in its own process, and a host evaluated alone pays again for everything
// hosts share (importing nixpkgs, the flake's own code). So the first task of an nx run to
// take the run's lock evaluates every host of the task graph that this machine has not yet
// evaluated, in chunks bounded by memory (eval-workers.ts), and leaves each result in the
// run's folder; the other tasks wait for the lock and take their host's result from there.
//
// The run is the nx process that forked the tasks (its pid and start time), not the set of its
// tasks' hashes: eval tasks leave out peers that are Nx cache hits while builds and deploys
// count them, so their sets differ, and all of them must still meet at one lock. Each result
// file names the proof key it was evaluated at (the eval hash and the source key, see
// task-hash.ts), and each task remembers its own under that key (toplevels.ts) for later runs. A host whose chunk failed is
// evaluated alone by its own task, so each error is reported by the task it belongs to.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentBudget, describePlan, evalPlan } from './eval-workers';
import type { Toplevel } from './nix-argv';
import { CommandError, firstLine } from '../process/run';
import { inParallel } from '../process/pool';
import { processIsAlive, processStartToken, sleep } from '../process/processes';
import { evaluateToplevels, readToplevelFile, rememberedToplevel, rememberToplevel, writeToplevelFile } from './toplevels';

export const EVAL_RUNS_DIR = '.nx/nix-fleet/eval';

/** A host to evaluate, and the key of its proof (eval task hash and source key), when known. */
export interface EvalPeer {
  host: string;
  key: string | undefined;
  /** The memoryPerHostMiB option of the host's eval task, when set. */
  memoryPerHostMiB?: number;
}

export interface SharedEvalOptions {
  root: string;
  flakeRef: string;
  memoryPerHostMiB?: number;
  log?: (line: string) => void;
  /** How often a waiting task looks again, in ms. */
  pollMs?: number;
  /** The nx run this process belongs to; defaults to currentRunId(). */
  runId?: string;
  /** Evaluate again even where this machine remembers a result (`--skip-nx-cache`); defaults to NX_SKIP_NX_CACHE. */
  fresh?: boolean;
}

/** The memory per host a task may ask for, in MiB: as the eval executor's schema says. */
export const MEMORY_PER_HOST_RANGE = { min: 64, max: 1048576 } as const;

const isMemoryPerHost = (m: unknown): m is number => typeof m === 'number' && Number.isInteger(m) && m >= MEMORY_PER_HOST_RANGE.min && m <= MEMORY_PER_HOST_RANGE.max;

export function checkMemoryPerHost(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isMemoryPerHost(value)) {
    throw new Error(`--memoryPerHostMiB is ${JSON.stringify(value)}: expected a whole number of MiB from ${MEMORY_PER_HOST_RANGE.min} to ${MEMORY_PER_HOST_RANGE.max}, e.g. 4096 for hosts that need 4 GiB to evaluate.`);
  }
  return value;
}

/** Whether this task runs under --skip-nx-cache: Nx passes it to every task it starts. */
export function skipsNxCache(): boolean {
  return process.env.NX_SKIP_NX_CACHE === 'true';
}

/** The nx process that started this task: its pid and its start time (pids are reused). */
export function currentRunId(): string {
  return `${process.ppid}-${processStartToken(process.ppid)}`;
}

/** What the lock and wait protocol does to the world, passed in so that specs can script it. */
export interface EvalIo {
  /** Evaluates the hosts' toplevels in one nix evaluation. */
  evaluate: (root: string, flakeRef: string, hosts: string[], echo?: boolean) => Promise<Record<string, Toplevel>>;
  sleep: (ms: number) => Promise<void>;
  /** Whether the process that wrote a lock still runs. */
  isAlive: (pid: number) => boolean;
}

const REAL_IO: EvalIo = { evaluate: evaluateToplevels, sleep, isAlive: processIsAlive };

const reasonOf = (e: unknown): string => firstLine(e instanceof CommandError ? e.reason : (e as Error).message);

/** The folder of one run's evaluation of one flake's hosts (a run may build from two flakes). */
export function runDirOf(root: string, runId: string, flakeRef: string): string {
  return join(root, EVAL_RUNS_DIR, `${runId}-${createHash('sha256').update(flakeRef).digest('hex').slice(0, 8)}`);
}

/** A result names the eval hash it was evaluated at, so no other run's can pass for it. */
const resultFile = (runDir: string, p: EvalPeer) => join(runDir, `${p.host}.${p.key ?? 'unknown'}.json`);

/** The run's result for a host: at its own hash, or from a task that did not know the hash. */
function runResult(runDir: string, runId: string, p: EvalPeer): Toplevel | undefined {
  return readToplevelFile(resultFile(runDir, p), runId) ?? readToplevelFile(resultFile(runDir, { ...p, key: undefined }), runId);
}

/** A peer's own task refuses a bad value; here it just does not count. */
const validMemory = (m: unknown): number => (isMemoryPerHost(m) ? m : 0);

/** Evaluates the hosts that have no result yet, chunk by chunk, and saves each result. */
async function evaluateGroup(peers: EvalPeer[], runDir: string, runId: string, o: SharedEvalOptions, fresh: boolean, io: EvalIo): Promise<void> {
  const todo = peers.filter((p) => (fresh || !rememberedToplevel(o.root, p.host, p.key)) && !runResult(runDir, runId, p));
  if (todo.length === 0) return;
  // The largest need any host of the run declared, so none of them swaps.
  const declared = Math.max(validMemory(o.memoryPerHostMiB), ...todo.map((p) => validMemory(p.memoryPerHostMiB)));
  const budget = currentBudget(declared || undefined);
  const byHost = new Map(todo.map((p) => [p.host, p]));
  const plan = evalPlan(todo.map((p) => p.host), budget);
  o.log?.(describePlan(plan, budget));
  await inParallel(plan.chunks, plan.workers, async (chunk) => {
    try {
      const toplevels = await io.evaluate(o.root, o.flakeRef, chunk, false);
      for (const host of chunk) writeToplevelFile(resultFile(runDir, byHost.get(host) as EvalPeer), runId, toplevels[host]);
    } catch (e) {
      o.log?.(`the evaluation of ${chunk.join(', ')} failed (${reasonOf(e)}); each of them is evaluated alone`);
    }
  });
}

function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch {
    return false;
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

function olderThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > ms;
  } catch {
    return false;
  }
}

/** A lock whose owner is gone: its process died, or it never wrote its pid within 10 s. */
function lockIsStale(lock: string, isAlive: EvalIo['isAlive']): boolean {
  let pid = '';
  try {
    pid = readFileSync(join(lock, 'pid'), 'utf-8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return true;
  }
  // Taken but its pid not written yet (or never, if its owner died in between).
  if (pid === '') return olderThan(lock, 10_000);
  return !isAlive(Number(pid));
}

/** Folders of runs over a day old: a run lasts minutes, the folder should not grow forever. */
function removeOldRuns(dir: string, keep: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(dir)) {
    if (join(dir, name) === keep) continue;
    try {
      if (statSync(join(dir, name)).mtimeMs < dayAgo) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Another task removed it first.
    }
  }
}

/**
 * The toplevel of `own.host`: remembered at its key, else from the run's shared evaluation of
 * `peers` (own included), else evaluated alone. Remembered at its key either way.
 */
export async function sharedToplevel(own: EvalPeer, peers: EvalPeer[], o: SharedEvalOptions, io: EvalIo = REAL_IO): Promise<Toplevel> {
  const fresh = o.fresh ?? skipsNxCache();
  const known = fresh ? undefined : rememberedToplevel(o.root, own.host, own.key);
  if (known) return known;
  const group = new Map<string, EvalPeer>([[own.host, own]]);
  for (const p of peers) if (!group.has(p.host)) group.set(p.host, p);
  if (group.size > 1) {
    const runId = o.runId ?? currentRunId();
    const runsDir = join(o.root, EVAL_RUNS_DIR);
    const runDir = runDirOf(o.root, runId, o.flakeRef);
    mkdirSync(runDir, { recursive: true });
    const lock = join(runDir, 'lock');
    let waiting = false;
    for (;;) {
      const t = runResult(runDir, runId, own);
      if (t) {
        rememberToplevel(o.root, own.host, own.key, t);
        return t;
      }
      // The run's evaluation is over and did not give this host: its chunk failed.
      if (existsSync(join(runDir, 'done'))) break;
      if (tryLock(lock)) {
        try {
          removeOldRuns(runsDir, runDir);
          await evaluateGroup([...group.values()], runDir, runId, o, fresh, io);
        } finally {
          writeFileSync(join(runDir, 'done'), '');
          rmSync(lock, { recursive: true, force: true });
        }
        continue;
      }
      if (lockIsStale(lock, io.isAlive)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!waiting) o.log?.(`waiting for the shared evaluation of ${group.size} hosts`);
      waiting = true;
      await io.sleep(o.pollMs ?? 100);
    }
  }
  // A task that starts after its peers finished (and so counts none of them) may still find its
  // host in the run's evaluation.
  const ran = runResult(runDirOf(o.root, o.runId ?? currentRunId(), o.flakeRef), o.runId ?? currentRunId(), own);
  if (ran) {
    rememberToplevel(o.root, own.host, own.key, ran);
    return ran;
  }
  const alone = await io.evaluate(o.root, o.flakeRef, [own.host]);
  rememberToplevel(o.root, own.host, own.key, alone[own.host]);
  return alone[own.host];
}
