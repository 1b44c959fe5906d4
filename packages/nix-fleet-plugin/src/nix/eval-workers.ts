// How many Nix evaluations run at once and how many hosts each one evaluates: bounded by memory.
//
// A Nix process keeps every host it has evaluated in memory until it exits (the flake's
// nixosConfigurations hold them), and a NixOS host costs 1-2 GB. So the rule, as colmena's:
// reserve 1 GiB, budget `memoryPerHostMiB` (default 2 GiB) for each host being evaluated, and
// never hold more hosts at once than MemAvailable allows. Those hosts are spread over at most
// one Nix process per core; each process evaluates its share and exits, then the next starts.
import { cpus, freemem } from 'node:os';
import { readFileSync } from 'node:fs';

export const DEFAULT_EVAL_MEMORY_PER_HOST_MIB = 2048;
export const EVAL_RESERVE_MIB = 1024;

export interface EvalBudget {
  /** Memory available to evaluations, in MiB (MemAvailable). */
  availableMiB: number;
  /** Memory one host's evaluation may take, in MiB. */
  memoryPerHostMiB: number;
  cores: number;
}

export interface EvalPlan {
  /** Hosts evaluated together in one Nix process, in the order given. */
  chunks: string[][];
  /** Nix processes running at once. */
  workers: number;
  /** Hosts in memory at once, at most. */
  hostsAtOnce: number;
}

/** MemAvailable from /proc/meminfo (page cache counts as available), else Node's free memory. */
export function availableMemoryMiB(meminfo?: string): number {
  try {
    const text = meminfo ?? readFileSync('/proc/meminfo', 'utf-8');
    const kib = /^MemAvailable:\s+(\d+) kB$/m.exec(text)?.[1];
    if (kib) return Math.floor(Number(kib) / 1024);
  } catch {
    // Not Linux: fall through.
  }
  return Math.floor(freemem() / 1024 / 1024);
}

export function currentBudget(memoryPerHostMiB = DEFAULT_EVAL_MEMORY_PER_HOST_MIB): EvalBudget {
  return { availableMiB: availableMemoryMiB(), memoryPerHostMiB, cores: Math.max(1, cpus().length) };
}

/** Splits hosts into evaluation chunks so that at most `hostsAtOnce` are in memory at once. */
export function evalPlan(hosts: string[], budget: EvalBudget): EvalPlan {
  if (!(budget.memoryPerHostMiB > 0)) throw new Error(`The memory per evaluated host must be positive (got ${budget.memoryPerHostMiB} MiB).`);
  const hostsAtOnce = Math.max(1, Math.floor((budget.availableMiB - EVAL_RESERVE_MIB) / budget.memoryPerHostMiB));
  const workers = Math.max(1, Math.min(budget.cores, hostsAtOnce, hosts.length));
  const perChunk = Math.max(1, Math.min(Math.floor(hostsAtOnce / workers), Math.ceil(hosts.length / workers)));
  // Even chunks: 10 hosts at 4 per chunk are 4+3+3, not 4+4+2.
  const count = Math.ceil(hosts.length / perChunk);
  const chunks: string[][] = [];
  for (let i = 0, start = 0; i < count; i++) {
    const size = Math.ceil((hosts.length - start) / (count - i));
    chunks.push(hosts.slice(start, start + size));
    start += size;
  }
  return { chunks, workers: Math.min(workers, chunks.length), hostsAtOnce };
}

export function describePlan(plan: EvalPlan, budget: EvalBudget): string {
  const hosts = plan.chunks.reduce((n, c) => n + c.length, 0);
  const gib = (mib: number) => `${(mib / 1024).toFixed(mib % 1024 ? 1 : 0)} GiB`;
  return (
    `evaluating ${hosts} host${hosts === 1 ? '' : 's'} in ${plan.chunks.length} Nix process${plan.chunks.length === 1 ? '' : 'es'}, ` +
    `${plan.workers} at a time (${gib(budget.memoryPerHostMiB)} per host, ${gib(budget.availableMiB)} available)`
  );
}
