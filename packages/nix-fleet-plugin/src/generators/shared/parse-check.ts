// Writes a tree's .nix files to a temp folder and runs the real `nix-instantiate --parse` on each.
import type { Tree } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CommandError, run } from '../../nix/run';

export interface ParseFailure {
  file: string;
  error: string;
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

/** Parses each file with nix-instantiate; returns the failures (empty when all parse). */
export async function parseNixFiles(tree: Tree, files: string[]): Promise<ParseFailure[]> {
  const dir = mkdtempSync(join(tmpdir(), `nix-fleet-parse-${process.pid}-`));
  try {
    const failures: ParseFailure[] = [];
    for (const file of files) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, tree.read(file) ?? '');
      try {
        await run('nix-instantiate', ['--parse', path], { timeoutMs: 30_000 });
      } catch (e) {
        failures.push({ file, error: e instanceof CommandError ? e.reason : String(e) });
      }
    }
    return failures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
