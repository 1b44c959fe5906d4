// A `nix` (or another command) first on PATH that logs each call and then runs the real one: proves what ran.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NixCounter {
  /** PATH with the counting nix in front. */
  env: NodeJS.ProcessEnv;
  /** Every nix call since the last reset, as its argument list joined by spaces. */
  calls(): string[];
  /** Calls whose first argument is one of these subcommands (build, eval, ...). */
  count(...subcommands: string[]): number;
  reset(): void;
}

export function createNixCounter(command = 'nix'): NixCounter {
  const dir = mkdtempSync(join(tmpdir(), `${command}-counter-`));
  const log = join(dir, 'calls.log');
  const realNix = execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf-8' }).trim();
  const wrapper = join(dir, command);
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realNix}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf-8').split('\n').filter(Boolean) : []);
  return {
    env: { PATH: `${dir}:${process.env.PATH}` },
    calls,
    count: (...subcommands) => calls().filter((c) => subcommands.includes(c.split(' ')[0])).length,
    reset: () => writeFileSync(log, ''),
  };
}

/**
 * The hosts each `nix eval` of toplevels asked for (the list in its --apply), all calls
 * together: a host evaluated twice is there twice.
 */
export function evaluatedHosts(calls: string[]): string[] {
  return calls
    .filter((c) => c.startsWith('eval ') && c.includes('#nixosConfigurations --apply'))
    .flatMap((c) => [...(/\[ ((?:"[a-z0-9-]+" ?)+)\]\)$/.exec(c)?.[1].matchAll(/"([a-z0-9-]+)"/g) ?? [])].map((m) => m[1]));
}
