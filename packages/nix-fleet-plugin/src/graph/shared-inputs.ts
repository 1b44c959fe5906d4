// Finds the Nix outside hosts/ that a flake may import, so every host's cache key covers it.
import { existsSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { HOSTS_DIR, HOST_FILE, PROFILES_ROOT } from '../constants';

const SKIP = new Set(['node_modules', 'dist', '.nx', '.git', 'tmp', HOSTS_DIR]);
const MAX_DEPTH = 4;

/**
 * Workspace-root inputs shared by every host. A missed input is a stale build, an extra one
 * only a rebuild, so every top-level folder holding a .nix file gives all its .nix files.
 */
export function sharedHostInputs(workspaceRoot: string, flake: string): string[] {
  const flakeDir = posix.normalize(flake) === '.' ? '' : `${posix.normalize(flake)}/`;
  const inputs = new Set<string>([
    `{workspaceRoot}/${flakeDir}flake.nix`,
    `{workspaceRoot}/${flakeDir}flake.lock`,
    `{workspaceRoot}/${PROFILES_ROOT}/**/*`,
    // The flake hands every host the whole inventory (profiles.fleet.hosts: monitoring scrapes
    // the other servers, a web server proxies to the monitoring host), so any host.json can
    // change any host's system.
    `{workspaceRoot}/${HOSTS_DIR}/*/${HOST_FILE}`,
  ]);
  for (const file of nixFilesOutsideHosts(workspaceRoot)) {
    const dir = posix.dirname(file);
    if (dir === '.') {
      inputs.add(`{workspaceRoot}/${file}`);
    } else if (!`${dir}/`.startsWith(`${PROFILES_ROOT}/`)) {
      const top = dir.split('/')[0];
      inputs.add(`{workspaceRoot}/${top}/**/*.nix`);
    }
  }
  return [...inputs].sort();
}

function nixFilesOutsideHosts(root: string): string[] {
  const found: string[] = [];
  const walk = (rel: string, depth: number) => {
    const abs = rel ? join(root, rel) : root;
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIP.has(entry.name) && path !== PROFILES_ROOT) walk(path, depth + 1);
      } else if (entry.name.endsWith('.nix')) {
        found.push(path);
      }
    }
  };
  walk('', 0);
  return found;
}
