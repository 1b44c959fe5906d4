// Finds a tool the way a spawn would (PATH), for specs that need it: a security spec must not
// skip quietly because the tool lives somewhere other than /usr/bin.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function onPath(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** Fails the spec, naming the fix, when a tool it needs is not on PATH. */
export function requireOnPath(tool: string, pkg: string): string {
  const found = onPath(tool);
  if (!found) throw new Error(`${tool} is not on PATH: install ${pkg} (bash tools/install-system-deps.sh)`);
  return found;
}
