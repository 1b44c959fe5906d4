// What the flake evaluates each host's toplevel to: one `nix eval` for many hosts, and a local
// record of it keyed by the Nx hash of the host's eval task and the source key (every tracked
// file's content, source-key.ts), so a warm run evaluates nothing and no stale input can pass.
//
// The record lives under .nx/ on this machine, never in a cached output: it is what this
// machine evaluated itself, the proof a build.json from any cache is checked against.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isStorePath, nixEvalToplevelsArgs, parseEvalToplevels, type Toplevel } from './nix-argv';
import { run } from '../process/run';
import { sourceUnchanged } from '../git/source-key';

export const TOPLEVEL_CACHE_DIR = '.nx/nix-fleet/toplevels';

/** Evaluates the hosts' toplevels in one nix evaluation (nothing is built). */
export async function evaluateToplevels(workspaceRoot: string, flakeRef: string, hosts: string[], echo = true): Promise<Record<string, Toplevel>> {
  const result = await run('nix', nixEvalToplevelsArgs(flakeRef, hosts), { cwd: workspaceRoot, echo });
  return parseEvalToplevels(result.stdout, hosts);
}

function cacheFile(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, TOPLEVEL_CACHE_DIR, `${host}.json`);
}

/** A saved toplevel, when the file is whole and saved under `key`. */
export function readToplevelFile(file: string, key: string | undefined): Toplevel | undefined {
  if (!key) return undefined;
  // A missing, torn or foreign file is no proof: evaluate again.
  try {
    const saved = JSON.parse(readFileSync(file, 'utf-8'));
    if (saved.key === key && isStorePath(saved.drvPath) && isStorePath(saved.outPath)) return { drvPath: saved.drvPath, outPath: saved.outPath };
  } catch {
    // No file, or no JSON object.
  }
  return undefined;
}

/** Written whole or not at all (a rename), so a task reading it while another writes never sees half. */
export function writeToplevelFile(file: string, key: string, toplevel: Toplevel): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ key, drvPath: toplevel.drvPath, outPath: toplevel.outPath })}\n`);
  renameSync(tmp, file);
}

/** The toplevel this machine evaluated for `host` when its eval task's hash was `key`. */
export function rememberedToplevel(workspaceRoot: string, host: string, key: string | undefined): Toplevel | undefined {
  return readToplevelFile(cacheFile(workspaceRoot, host), key);
}

/** Remembered only when no tracked file changed since the key was taken: else the key would lie. */
export function rememberToplevel(workspaceRoot: string, host: string, key: string | undefined, toplevel: Toplevel): void {
  if (key && sourceUnchanged(workspaceRoot)) writeToplevelFile(cacheFile(workspaceRoot, host), key, toplevel);
}
