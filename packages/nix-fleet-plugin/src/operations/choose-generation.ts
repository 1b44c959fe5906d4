// Which generation a rollback on demand switches to: the newest one before the profile's
// current generation (as `nixos-rebuild switch --rollback`), or --to=N; never a generation
// whose system a failed deploy left, nor anything that is not a NixOS system.
import { isStorePath } from '../nix/nix-argv';
import type { Generation, HostGenerations } from './generations';

export interface GenerationChoice {
  /** The generation the profile switches to. */
  generation: number;
  /** Its system. */
  outPath: string;
  /** The profile's generation before the rollback. */
  from: number;
}

const describe = (g: Generation) => `generation ${g.number} (${g.system}, ${g.date})`;

function refuseReason(g: Generation): string | undefined {
  if (!isStorePath(g.system)) return `${describe(g)} does not point into /nix/store, so it is no system Nix built`;
  if (!g.activatable) return `${describe(g)} is not a NixOS system (it has no bin/switch-to-configuration)`;
  if (g.failed) return `${describe(g)} is the system of a deploy that failed on this host`;
  return undefined;
}

/** Throws a message naming the host, what it has and the fix when there is nothing to go back to. */
export function chooseGeneration(host: string, profile: string, state: HostGenerations, to?: number): GenerationChoice {
  const list = state.generations.map((g) => `${g.number}${g.boots ? ' (current)' : ''}`).join(', ') || 'none';
  const current = state.current;
  if (current === undefined) {
    throw new Error(`${host} has no generation of ${profile}, so there is nothing to roll back to. Deploy it first.`);
  }
  if (to !== undefined) {
    const g = state.generations.find((x) => x.number === to);
    if (!g) throw new Error(`${host} has no generation ${to} of ${profile} (it has: ${list}). Pick one with --to=<number>; see nx run ${host}:generations.`);
    if (to === current) throw new Error(`${host} is already on generation ${to} of ${profile}; nothing to switch. Pick another with --to=<number> (it has: ${list}).`);
    const why = refuseReason(g);
    if (why) throw new Error(`${host}: refusing --to=${to}: ${why}. Pick another generation (it has: ${list}).`);
    return { generation: to, outPath: g.system, from: current };
  }
  const older = state.generations.filter((g) => g.number < current).reverse();
  const skipped: string[] = [];
  for (const g of older) {
    const why = refuseReason(g);
    if (!why) return { generation: g.number, outPath: g.system, from: current };
    skipped.push(why);
  }
  const skippedText = skipped.length ? ` (skipped: ${skipped.join('; ')})` : '';
  throw new Error(`${host} is on generation ${current} of ${profile} and has no older generation to roll back to${skippedText}. Its generations: ${list}.`);
}
