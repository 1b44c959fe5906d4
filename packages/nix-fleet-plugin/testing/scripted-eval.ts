// The world of the shared evaluation's specs, scripted: nix answers at once or when released
// (failing for chosen hosts), sleeping counts polls, and other processes are alive or not.
import type { EvalIo, EvalPeer } from '../src/nix/fleet-eval';
import type { Toplevel } from '../src/nix/nix-argv';

export const FLAKE = '/fleet';
export const RUN = '4242-777';
export const toplevel = (host: string): Toplevel => ({ drvPath: `/nix/store/${'d'.repeat(32)}-${host}.drv`, outPath: `/nix/store/${'1'.repeat(32)}-${host}` });
export const peer = (host: string): EvalPeer => ({ host, key: undefined });

/** A scripted world: evaluate answers after `release()` when gated, failing for the hosts in `failFor`. */
export function world(o: { gated?: boolean; failFor?: string[]; alive?: (pid: number) => boolean; maxSleeps?: number } = {}) {
  const calls: string[][] = [];
  /** The echo argument of each evaluation. */
  const echoes: Array<boolean | undefined> = [];
  const sleeps: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const io: EvalIo = {
    evaluate: async (_root, flakeRef, chunk, echo) => {
      expect(flakeRef).toBe(FLAKE);
      calls.push([...chunk]);
      echoes.push(echo);
      // A macrotask, so that a task which never stops evaluating still lets the spec's timeout fire.
      await new Promise((r) => setImmediate(r));
      if (o.gated) await gate;
      if (chunk.some((h) => o.failFor?.includes(h))) throw new Error(`error: attribute missing\nin ${chunk.join(' ')}`);
      return Object.fromEntries(chunk.map((h) => [h, toplevel(h)]));
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      // A task that waits for ever is a failure, not a hang of the spec run.
      if (sleeps.length > (o.maxSleeps ?? 200)) throw new Error('still waiting after 200 polls');
      await new Promise((r) => setImmediate(r));
    },
    isAlive: o.alive ?? (() => true),
  };
  // Which hosts were evaluated, in order: how they are chunked depends on this machine's cores and memory.
  const evaluated = () => calls.flat().sort();
  return { io, calls, echoes, sleeps, evaluated, release: () => release() };
}

/** Resolves once `cond` holds, checking at each turn of the event loop. */
export async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

