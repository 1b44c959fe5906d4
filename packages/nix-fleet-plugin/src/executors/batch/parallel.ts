// How many hosts a batch has in flight: what Nx's --parallel says for processes, read the way Nx
// reads it (nx's command line, NX_PARALLEL, nx.json's "parallel", else 3). Nx hands a batch all
// of its tasks at once, so without this a batch of 50 hosts would contact 50 at a time.
import type { ExecutorContext } from '@nx/devkit';
import { availableParallelism } from 'node:os';
import { nxCommandLine } from '../invocation';

const NX_DEFAULT = 3;

function count(value: string): number | undefined {
  const n = value.endsWith('%') ? (availableParallelism() * parseFloat(value)) / 100 : parseInt(value, 10);
  return Number.isFinite(n) ? Math.max(1, Math.floor(n)) : undefined;
}

/** The last value of --NAME on Nx's command line (=value or the next token when it fits), before any `--`. */
function lastOption(tokens: string[], names: string[], fits: RegExp): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const m = /^--([a-zA-Z-]+)(?:=(.*))?$/.exec(tokens[i]);
    if (!m || !names.includes(m[1])) continue;
    const next = tokens[i + 1];
    value = m[2] ?? (next !== undefined && !next.startsWith('-') && fits.test(next) ? next : '');
  }
  return value;
}

/** --parallel as Nx reads it from its command line: a number, N%, false or --no-parallel (1), or bare/true (--maxParallel, NX_PARALLEL or 3). */
export function parallelFromArgs(args: string[], env: NodeJS.ProcessEnv = process.env): number | undefined {
  const end = args.indexOf('--');
  const tokens = end >= 0 ? args.slice(0, end) : args;
  // yargs, Nx's parser, reads --no-parallel as --parallel=false; the last of them wins.
  const value = lastOption(tokens.map((t) => (t === '--no-parallel' ? '--parallel=false' : t)), ['parallel'], /^(\d+%?|true|false)$/);
  if (value === 'false') return 1;
  if (value === undefined || value === 'true' || value === '') {
    if (value === undefined && !env.NX_PARALLEL) return undefined;
    return count(lastOption(tokens, ['maxParallel', 'max-parallel'], /^\d+$/) || env.NX_PARALLEL || String(NX_DEFAULT));
  }
  return count(value);
}

export function batchParallel(context: Pick<ExecutorContext, 'nxJsonConfiguration'>, args = nxCommandLine() ?? [], env: NodeJS.ProcessEnv = process.env): number {
  const fromNxJson = context.nxJsonConfiguration?.parallel;
  return parallelFromArgs(args, env) ?? (typeof fromNxJson === 'number' && fromNxJson > 0 ? Math.floor(fromNxJson) : NX_DEFAULT);
}
