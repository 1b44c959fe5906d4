// How many hosts a batch has in flight: what Nx's --parallel says for processes, read the way Nx
// reads it (nx's command line, NX_PARALLEL, nx.json's "parallel", else 3). Nx hands a batch all
// of its tasks at once, so without this a batch of 50 hosts would contact 50 at a time.
import type { ExecutorContext } from '@nx/devkit';
import { availableParallelism } from 'node:os';
import { nxCommandLine } from '../invocation';

const NX_DEFAULT = 3;

/** Nx's concurrency(): parseInt as JavaScript reads it (so 0x10 is 16), N% of the cores, at least 1. */
function count(value: string): number | undefined {
  const n = value.endsWith('%') ? (availableParallelism() * parseInt(value)) / 100 : parseInt(value);
  return Number.isFinite(n) ? Math.max(1, Math.floor(n)) : undefined;
}

/** The values yargs gives a flag: `--name=v`, `--name v` (a negative number too), bare `--name` is ''. */
function flagValues(tokens: string[], names: string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(tokens[i]);
    if (!m) continue;
    if (m[2] === undefined && names.some((n) => m[1] === `no-${n}`)) values.push('false');
    if (!names.includes(m[1])) continue;
    const next = tokens[i + 1];
    values.push(m[2] ?? (next !== undefined && (!next.startsWith('-') || /^-\d/.test(next)) ? tokens[++i] : ''));
  }
  return values;
}

/**
 * --parallel as Nx 23 reads it from its command line (readParallelFromArgsAndEnv): a number or
 * N%, false (1), or bare/true (--max-parallel, else NX_PARALLEL, else 3); given twice, yargs
 * makes a list and Nx takes parseInt of "a,b", the first. Undefined where Nx reads nothing.
 */
export function parallelFromArgs(args: string[], env: NodeJS.ProcessEnv = process.env): number | undefined {
  const end = args.indexOf('--');
  const tokens = end >= 0 ? args.slice(0, end) : args;
  const values = flagValues(tokens, ['parallel']);
  if (values.length > 1) return count(values.join(',').replace(/%$/, ''));
  const value = values[0];
  if (value === 'false') return 1;
  if (value === 'true' || value === '' || (value === undefined && env.NX_PARALLEL)) {
    const max = Number(flagValues(tokens, ['maxParallel', 'max-parallel']).at(-1));
    return count(max ? String(max) : (env.NX_PARALLEL || String(NX_DEFAULT)));
  }
  return value === undefined ? undefined : count(value);
}

export function batchParallel(context: Pick<ExecutorContext, 'nxJsonConfiguration'>, args = nxCommandLine() ?? [], env: NodeJS.ProcessEnv = process.env): number {
  const fromNxJson = context.nxJsonConfiguration?.parallel;
  return parallelFromArgs(args, env) ?? (typeof fromNxJson === 'number' && fromNxJson > 0 ? Math.floor(fromNxJson) : NX_DEFAULT);
}
