// How the tour talks: numbered steps, every command it runs shown as "$ ...", its output indented.
import { spawnSync } from 'node:child_process';
import { renderTable } from '../../packages/nix-fleet-plugin/src/summary/table';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const started = Date.now();
let stepNumber = 0;

export function step(title: string, why?: string): void {
  stepNumber++;
  const clock = `${((Date.now() - started) / 1000).toFixed(1)}s`;
  console.log(`\n${bold(`${stepNumber}. ${title}`)}  [${clock}]`);
  if (why) console.log(`   ${why}`);
}

export function note(text: string): void {
  console.log(`   ${text}`);
}

export function table(headers: string[], rows: string[][]): void {
  console.log(renderTable(headers, rows).replace(/^/gm, '   '));
}

/** Fails the tour with one clear line when what it shows is not what should have happened. */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`The tour expected: ${message}`);
}

export interface Ran {
  stdout: string;
  status: number;
}

/**
 * Runs a command (argv, no shell) in cwd, shows it as "$ shown", streams its output indented.
 * The output is also returned, for the checks the tour makes.
 */
export function sh(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; shown?: string; quiet?: boolean }): Ran {
  console.log(`   $ ${opts.shown ?? [cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(/\n+$/, '');
  if (!opts.quiet || r.status !== 0) {
    const lines = text.split('\n').filter((l, i, all) => l.trim() !== '' || (i > 0 && all[i - 1].trim() !== ''));
    if (lines.length) console.log(lines.map((l) => `     ${l}`).join('\n'));
  }
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`"${opts.shown ?? cmd}" failed with exit code ${r.status} (its output is above).`);
  return { stdout: r.stdout, status: r.status };
}
