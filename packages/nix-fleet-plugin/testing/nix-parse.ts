// The one Nix syntax checker of the tests and tools: the real `nix-instantiate --parse`, run once
// for all files (it stops at the first file that fails, so it runs again after each failure).
// Test-only: not part of the published package.
import type { Tree } from '@nx/devkit';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

export interface ParseFailure {
  file: string;
  error: string;
}

/** Parses the files (relative to root) in as few nix-instantiate calls as there are failures + 1. */
export function parseNixFilesIn(root: string, files: string[]): ParseFailure[] {
  const failures: ParseFailure[] = [];
  let rest = [...files];
  while (rest.length > 0) {
    const paths = rest.map((f) => (isAbsolute(f) ? f : join(root, f)));
    const r = spawnSync('nix-instantiate', ['--parse', ...paths], { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
    if (r.error) throw new Error(`nix-instantiate could not start (${r.error.message}); install Nix (tools/install-system-deps.sh).`);
    if (r.status === 0) break;
    // Nix names the file it stopped at: "at /abs/path.nix:LINE:COL" (or "error: ... /abs/path.nix").
    const index = paths.findIndex((p) => r.stderr.includes(`${p}:`) || r.stderr.includes(`'${p}'`));
    const failed = index === -1 ? 0 : index;
    failures.push({ file: rest[failed], error: r.stderr.trim() });
    rest = rest.slice(failed + 1);
  }
  return failures;
}

/** Every .nix file in the tree (or under `under`), sorted. */
export function nixFilesIn(tree: Tree, under = ''): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (tree.isFile(path)) {
        if (path.endsWith('.nix')) found.push(path);
      } else if (child !== 'node_modules') {
        walk(path);
      }
    }
  };
  walk(under);
  return found.sort();
}

/** Writes the tree's files to a temp folder and parses them there. */
export async function parseNixFiles(tree: Tree, files: string[]): Promise<ParseFailure[]> {
  const dir = mkdtempSync(join(tmpdir(), `nix-fleet-parse-${process.pid}-`));
  try {
    for (const file of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), tree.read(file) ?? '');
    }
    return parseNixFilesIn(dir, files).map((f) => ({ file: f.file, error: f.error.split(dir + '/').join('') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
