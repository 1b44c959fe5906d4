// Finds a workspace's .nix files and runs the real `nix-instantiate --parse` on them.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseNixFilesIn } from '../../packages/nix-fleet-plugin/testing/nix-parse';

/** Every .nix file under root, relative to it; node_modules, dist and dot folders are not the user's Nix. */
export function nixFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return nixFiles(root, path);
    return entry.endsWith('.nix') ? [relative(root, path)] : [];
  });
}

/** The files (relative to root) that real `nix-instantiate --parse` rejects, each with its message. */
export function unparsable(root: string, files: string[]): string[] {
  return parseNixFilesIn(root, files).map((f) => `${f.file}: ${f.error}`);
}
