// The files a flake at the workspace root can read: what git tracks (force-added ignored files
// too), or, outside git, every file (a path: flake copies the folder whole).
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface TrackedFiles {
  /** Workspace-relative paths, sorted. */
  files: string[];
  /** Tracked symlinks and their link text. */
  symlinks: Map<string, string>;
  /** Tracked files that .gitignore matches: Nx's file map leaves them out. */
  ignored: string[];
  git: boolean;
}

/** Never workspace files: git's own data and what package managers and Nx keep. */
export const NOT_WORKSPACE = new Set(['.git', 'node_modules', '.nx']);

function git(root: string, args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  return r.status === 0 ? r.stdout : undefined;
}

function walk(root: string, dir = '', out: TrackedFiles = { files: [], symlinks: new Map(), ignored: [], git: false }): TrackedFiles {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (NOT_WORKSPACE.has(path)) continue;
    if (entry.isDirectory()) walk(root, path, out);
    else {
      out.files.push(path);
      if (entry.isSymbolicLink()) out.symlinks.set(path, readlinkSync(join(root, path)));
    }
  }
  return out;
}

export function trackedFiles(root: string): TrackedFiles {
  const index = git(root, ['ls-files', '-z', '-s']);
  if (index === undefined) {
    const all = walk(root);
    all.files.sort();
    return all;
  }
  const files: string[] = [];
  const symlinks = new Map<string, string>();
  for (const entry of index.split('\0').filter(Boolean)) {
    const tab = entry.indexOf('\t');
    const path = entry.slice(tab + 1);
    if (files[files.length - 1] === path) continue;
    files.push(path);
    if (entry.startsWith('120000 ')) {
      try {
        symlinks.set(path, readlinkSync(join(root, path)));
      } catch {
        // Deleted in the work tree: the flake cannot read it either.
      }
    }
  }
  const ignored = (git(root, ['ls-files', '-z', '-c', '-i', '--exclude-standard']) ?? '').split('\0').filter(Boolean);
  // In git's order, which is sorted by path already.
  return { files, symlinks, ignored, git: true };
}

/**
 * A runtime input that hashes the tracked files .gitignore matches, as they are in the work
 * tree: Nx leaves them out of its file map even when git tracks them, the flake does not.
 */
export const IGNORED_TRACKED_INPUT = {
  runtime: 'git ls-files -z -c -i --exclude-standard | xargs -0r git hash-object --no-filters -- 2>&1; git ls-files -c -i --exclude-standard -s',
};
