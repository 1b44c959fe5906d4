// Flags that Nx's own command line parser takes away from a task, read back from the command
// line of the nx process that runs it.
//
// Nx 23 parses its command line with yargs-parser and `unknown-options-as-args`; a flag whose
// first word is one of Nx's own options counts as known (yargs-parser's "flag ending in
// non-word characters" rule reads `--target-host=x` as `--target` followed by "-host=x"), so
// `--target-host`, `--target-user` or a typo like `--target-hots` end up among Nx's arguments
// and never reach any task. The camelCase spelling (`--targetHost`) is unknown to Nx and
// reaches the task as an override. An executor reads the swallowed ones back from the command
// line of its parent nx process (Nx forks every task and batch from it).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** Nx's one-word options (and aliases) that swallow `--<word>-anything`. */
const NX_WORDS = new Set(['target', 'targets', 't', 'project', 'projects', 'p', 'configuration', 'c', 'exclude', 'parallel', 'batch', 'graph', 'runner', 'verbose', 'help', 'version', 'tui', 'base', 'head', 'files', 'uncommitted', 'untracked', 'all', 'prod', 'cloud', 'dte', 'output', 'skip', 'nx']);
/** Nx's own options that start with one of those words. */
const NX_OPTIONS = new Set(['output-style', 'skip-nx-cache', 'skip-remote-cache', 'skip-sync', 'nx-bail', 'nx-ignore-cycles', 'exclude-task-dependencies', 'tui-auto-exit', 'tuiAutoExit', 'outputStyle', 'skipNxCache', 'skipRemoteCache', 'skipSync', 'nxBail', 'nxIgnoreCycles', 'excludeTaskDependencies']);
const NX_COMMANDS = new Set(['run-many', 'affected']);

export interface Invocation {
  /** The targets the command line asked for (their tasks get its flags; dependencies do not). */
  targets: string[];
  /** `nx run <project>:<target>`: the one project. */
  project?: string;
  /** Flags Nx kept for itself that are no Nx option, as typed (without dashes) with their values. */
  swallowed: Array<{ key: string; value: string | true }>;
}

function flag(token: string, next: string | undefined): { key: string; value: string | true; usedNext: boolean } {
  const body = token.replace(/^--?/, '');
  const eq = body.indexOf('=');
  if (eq >= 0) return { key: body.slice(0, eq), value: body.slice(eq + 1), usedNext: false };
  if (next !== undefined && !next.startsWith('-')) return { key: body, value: next, usedNext: true };
  return { key: body, value: true, usedNext: false };
}

/** Reads the nx command line after `nx` (e.g. ["run", "ares:deploy", "--target-host=x"]). */
export function parseInvocation(args: string[]): Invocation {
  const end = args.indexOf('--');
  const tokens = end >= 0 ? args.slice(0, end) : args;
  const out: Invocation = { targets: [], swallowed: [] };
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token.startsWith('-') || /^-\d/.test(token)) {
      positionals.push(token);
      continue;
    }
    const f = flag(token, tokens[i + 1]);
    if (['t', 'target', 'targets'].includes(f.key)) {
      // -t build deploy: every word up to the next flag is a target.
      const values = [f.value === true ? '' : f.value];
      if (f.usedNext) i++;
      while (f.usedNext && tokens[i + 1] !== undefined && !tokens[i + 1].startsWith('-')) values.push(tokens[++i]);
      out.targets.push(...values.flatMap((v) => v.split(',')).filter(Boolean));
      continue;
    }
    const word = /^[A-Za-z0-9_]+/.exec(f.key)?.[0] ?? '';
    const swallowed = word !== f.key && NX_WORDS.has(word) && !NX_OPTIONS.has(f.key);
    // A value after a flag Nx reads as its own was taken by Nx too: it is no positional.
    if (f.usedNext && (swallowed || NX_WORDS.has(f.key))) i++;
    if (swallowed) out.swallowed.push({ key: f.key, value: f.value });
  }
  const [command, first] = positionals;
  if (command === 'run' && first) {
    const [project, target] = first.split(':');
    out.project = project;
    if (target) out.targets.push(target);
  } else if (command && !NX_COMMANDS.has(command) && command !== 'run') {
    // Infix: nx deploy ares
    out.targets.push(command);
    if (first) out.project = first;
  }
  return out;
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf-8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

let found: { argv: string[] | undefined } | undefined;

/**
 * The arguments of the nearest nx process above this one, or undefined (run in-process, or no
 * /proc). Read once per process: the nx above a task or batch process does not change, and a
 * batch asks for every host.
 */
export function nxCommandLine(): string[] | undefined {
  found ??= { argv: findNxCommandLine() };
  return found.argv;
}

function findNxCommandLine(): string[] | undefined {
  let pid: number | undefined = process.ppid;
  for (let depth = 0; pid && pid > 1 && depth < 4; depth++, pid = parentOf(pid)) {
    const argv = commandLine(pid);
    const at = argv?.findIndex((a, i) => i < 3 && ['nx', 'nx.js'].includes(basename(a))) ?? -1;
    if (argv && at >= 0) return argv.slice(at + 1);
  }
  return undefined;
}

/** The swallowed flags meant for this task: only the targets the command line asked for get them. */
export function swallowedFlagsFor(invocation: Invocation | undefined, project: string | undefined, target: string | undefined): Invocation['swallowed'] {
  if (!invocation || !target || !invocation.targets.includes(target)) return [];
  if (invocation.project !== undefined && invocation.project !== project) return [];
  return invocation.swallowed;
}
