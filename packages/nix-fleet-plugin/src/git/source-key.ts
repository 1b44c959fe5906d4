// The source key: a hash of exactly what a git flake sees, every tracked file's content as it
// is in the working tree (force-added ignored files too), computed from git itself.
//
// It keys this machine's proof that a toplevel is a host's system (toplevels.ts) together with
// the Nx hash of the eval task: a proof that rests on the Nx hash alone trusts the same inputs
// that may have produced a stale record, this one cannot miss a file the flake reads.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';

function git(root: string, args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : undefined;
}

/** A working-tree file as git would store it: its mode and blob id, or undefined when it is gone. */
function fileState(path: string): { mode: string; blob: string } | undefined {
  try {
    const st = lstatSync(path);
    const link = st.isSymbolicLink();
    const content = link ? Buffer.from(readlinkSync(path)) : readFileSync(path);
    const blob = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
    return { mode: link ? '120000' : st.mode & 0o111 ? '100755' : '100644', blob };
  } catch {
    return undefined;
  }
}

/** `git ls-files -s -z` entries ("mode blob stage\tpath") by path, in git's order (sorted): "mode blob". */
function indexEntries(index: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const entry of index.split('\0').filter(Boolean)) {
    const [mode, blob] = entry.split(' ');
    entries.set(entry.slice(entry.indexOf('\t') + 1), `${mode} ${blob}`);
  }
  return entries;
}

/** The source key of the git work tree at `root`, or undefined when it is no git work tree. */
export function computeSourceKey(root: string): string | undefined {
  // The whole repository: a flake in a folder of it can still read the rest.
  const top = git(root, ['rev-parse', '--show-toplevel'])?.trim();
  if (!top) return undefined;
  // The index: path, mode and blob of every tracked file; then what differs in the work tree.
  const index = git(top, ['ls-files', '-z', '-s']);
  const changed = git(top, ['diff-files', '-z', '--name-only', '--no-ext-diff']);
  if (index === undefined || changed === undefined) return undefined;
  // The content the flake sees: each tracked path with its work-tree mode and blob, however
  // much of it is staged, so staging or committing the same content keeps the key.
  const entries = indexEntries(index);
  for (const path of changed.split('\0').filter(Boolean)) {
    const state = fileState(join(top, path));
    if (state) entries.set(path, `${state.mode} ${state.blob}`);
    else entries.delete(path);
  }
  const hash = createHash('sha256');
  // The work tree adds no path to the index's: the map keeps git's order.
  for (const [path, state] of entries) hash.update(`${path}\0${state}\0`);
  return hash.digest('hex').slice(0, 32);
}

const memo = new Map<string, string | undefined>();

/** The source key when this process first asked: the state its evaluations are keyed at. */
export function sourceKey(root: string): string | undefined {
  if (!memo.has(root)) memo.set(root, computeSourceKey(root));
  return memo.get(root);
}

/** Whether the work tree still has the key this process started with (nothing was edited meanwhile). */
export function sourceUnchanged(root: string): boolean {
  const first = sourceKey(root);
  return first !== undefined && computeSourceKey(root) === first;
}

/** Whether the flake option names a flake inside the workspace, whose files the source key covers. */
export function flakeInWorkspace(flake: string | undefined): boolean {
  return !flake || (!isAbsolute(flake) && !/^[a-z+]+:/.test(flake) && !normalize(flake).startsWith('..'));
}

/** The key of a proof: the eval task's Nx hash and the source key; undefined when either is unknown. */
export function proofKey(root: string, nxHash: string | undefined, flake: string | undefined): string | undefined {
  if (!nxHash || !flakeInWorkspace(flake)) return undefined;
  const source = sourceKey(root);
  return source ? `${nxHash}-${source}` : undefined;
}

/** For tests: forget the keys this process computed. */
export function resetSourceKeys(): void {
  memo.clear();
}
