// One evaluation for all the hosts of a run, shared by their eval tasks.
//
// Nx runs each task in its own process, and a host evaluated alone pays again for everything
// hosts share (importing nixpkgs, the flake's own code). So the first eval task of a run to
// take the run's lock evaluates every host of the task graph that this machine has not yet
// evaluated at its hash, in chunks bounded by memory (eval-workers.ts), and remembers each
// result (toplevels.ts); the other tasks wait for the lock and find their host remembered.
// A host whose chunk failed is evaluated alone by its own task, so each error is reported by
// the task of the host it belongs to.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentBudget, describePlan, evalPlan } from './eval-workers';
import type { Toplevel } from './nix-argv';
import { CommandError } from './run';
import { evaluateToplevels, rememberedToplevel, rememberToplevel } from './toplevels';

export const EVAL_LOCK_DIR = '.nx/nix-fleet/eval';

/** A host to evaluate, and the Nx hash of its eval task that keys the result. */
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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function firstLine(e: unknown): string {
  const text = e instanceof CommandError ? e.reason : (e as Error).message;
  return text.split('\n').find((l) => l.trim()) ?? text;
}

/** Evaluates the hosts not yet remembered, chunk by chunk, and remembers each result. */
export async function evaluateAndRemember(peers: EvalPeer[], o: SharedEvalOptions): Promise<void> {
  const todo = peers.filter((p) => !rememberedToplevel(o.root, p.host, p.key));
  if (todo.length === 0) return;
  // The largest need any host of the run declared, so none of them swaps.
  const declared = todo.map((p) => p.memoryPerHostMiB ?? 0);
  const budget = currentBudget(Math.max(o.memoryPerHostMiB ?? 0, ...declared) || undefined);
  const plan = evalPlan(todo.map((p) => p.host), budget);
  const keyOf = new Map(todo.map((p) => [p.host, p.key]));
  o.log?.(describePlan(plan, budget));
  const queue = [...plan.chunks];
  await Promise.all(
    Array.from({ length: plan.workers }, async () => {
      for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
        try {
          const toplevels = await evaluateToplevels(o.root, o.flakeRef, chunk, false);
          for (const host of chunk) rememberToplevel(o.root, host, keyOf.get(host), toplevels[host]);
        } catch (e) {
          o.log?.(`the evaluation of ${chunk.join(', ')} failed (${firstLine(e)}); each of them is evaluated alone`);
        }
      }
    }),
  );
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

/** End markers of runs over a day old: a run lasts minutes, the folder should not grow forever. */
function removeOldMarkers(dir: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.done')) continue;
    try {
      if (statSync(join(dir, name)).mtimeMs < dayAgo) rmSync(join(dir, name), { force: true });
    } catch {
      // Another task removed it first.
    }
  }
}

/** A lock whose owner is gone: its process died, or it never wrote its pid within 10 s. */
function lockIsStale(lock: string): boolean {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf-8'));
    process.kill(pid, 0);
    return false;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return false;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        return Date.now() - statSync(lock).mtimeMs > 10_000;
      } catch {
        return false;
      }
    }
    return true;
  }
}

/** Names a run's lock and its end marker: the flake and every host with its key. */
export function evalRunId(flakeRef: string, peers: EvalPeer[]): string {
  return createHash('sha256')
    .update(JSON.stringify([flakeRef, peers.map((p) => `${p.host}:${p.key}`).sort()]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * The toplevel of `own.host`: remembered, else from the run's shared evaluation of `peers`
 * (own included), else evaluated alone.
 */
export async function sharedToplevel(own: EvalPeer, peers: EvalPeer[], o: SharedEvalOptions): Promise<Toplevel> {
  const remembered = () => rememberedToplevel(o.root, own.host, own.key);
  const known = remembered();
  if (known) return known;
  const group = new Map<string, EvalPeer>();
  for (const p of [own, ...peers]) if (p.key && !group.has(p.host)) group.set(p.host, p);
  if (own.key && group.size > 1) {
    const id = evalRunId(o.flakeRef, [...group.values()]);
    const dir = join(o.root, EVAL_LOCK_DIR);
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, `${id}.lock`);
    const done = join(dir, `${id}.done`);
    let waiting = false;
    for (;;) {
      const t = remembered();
      if (t) return t;
      // The run's evaluation is over and did not give this host: its chunk failed.
      if (existsSync(done)) break;
      if (tryLock(lock)) {
        try {
          removeOldMarkers(dir);
          await evaluateAndRemember([...group.values()], o);
        } finally {
          writeFileSync(done, '');
          rmSync(lock, { recursive: true, force: true });
        }
        continue;
      }
      if (lockIsStale(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!waiting) o.log?.(`waiting for the shared evaluation of ${group.size} hosts`);
      waiting = true;
      await sleep(o.pollMs ?? 100);
    }
  }
  const alone = await evaluateToplevels(o.root, o.flakeRef, [own.host]);
  rememberToplevel(o.root, own.host, own.key, alone[own.host]);
  return alone[own.host];
}
