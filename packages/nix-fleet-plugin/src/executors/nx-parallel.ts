// How many tasks at once Nx was asked for, read where a batch can see it. Nx gives a batch
// neither --parallel nor the number it derived (run-batch.js passes the task graph, the
// options and the overrides only), so the batch reads the nx command line it was forked from
// (invocation.ts) and nx.json, with the rules of Nx 23's readParallelFromArgsAndEnv and
// getThreadPoolSize: --parallel=N, --parallel=false is 1, a bare --parallel is --maxParallel
// or NX_PARALLEL or 3, N% is that share of the cores, no flag is nx.json's "parallel" or 3.
import { availableParallelism } from 'node:os';

const NX_DEFAULT = 3;

function concurrency(value: string | number): number | undefined {
  const text = String(value).trim();
  let n = Number.parseInt(text, 10);
  if (!Number.isFinite(n)) return undefined;
  if (text.endsWith('%')) n = (availableParallelism() * n) / 100;
  return Math.max(1, Math.floor(n));
}

/** The value of `--<name>` in an nx argv (`--name=v`, `--name v`, or a bare `--name` as ''). */
function flagValue(argv: string[], names: string[]): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !names.includes(m[1])) continue;
    const next = argv[i + 1];
    value = m[2] ?? (next !== undefined && !next.startsWith('-') && /^(\d+%?|true|false)$/.test(next) ? next : '');
  }
  return value;
}

export function nxParallel(argv: string[] | undefined, nxJsonParallel: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const args = argv ?? [];
  const parallel = flagValue(args, ['parallel']);
  const maxParallel = flagValue(args, ['maxParallel', 'max-parallel']);
  if (parallel === 'false') return 1;
  if (parallel === 'true' || parallel === '' || (parallel === undefined && env.NX_PARALLEL)) {
    return concurrency(maxParallel || env.NX_PARALLEL || NX_DEFAULT) ?? NX_DEFAULT;
  }
  if (parallel !== undefined) return concurrency(parallel) ?? NX_DEFAULT;
  if (nxJsonParallel !== undefined) return concurrency(nxJsonParallel) ?? NX_DEFAULT;
  return concurrency(maxParallel || NX_DEFAULT) ?? NX_DEFAULT;
}
