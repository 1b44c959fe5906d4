// Turns the "flake" option (relative to the workspace root) into a flake reference for nix.
import { isAbsolute, join } from 'node:path';

/** A path, not "path:", so a flake inside a git repo sees only tracked files, as nix users expect. */
export function flakeRefFor(workspaceRoot: string, flake: string | undefined): string {
  if (!flake) return workspaceRoot;
  if (/^[a-z+]+:/.test(flake) || isAbsolute(flake)) return flake;
  return join(workspaceRoot, flake);
}
