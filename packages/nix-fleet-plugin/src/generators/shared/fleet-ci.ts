// The CI workflow every new fleet starts with: .github/workflows/nix-fleet.yml (GitHub Actions).
import type { Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FLEET_WORKFLOW = '.github/workflows/nix-fleet.yml';
/** The workflow as shipped in the plugin package. */
export const FLEET_WORKFLOW_SOURCE = join(__dirname, 'fleet-ci', 'nix-fleet.yml');

/** Writes the workflow unless the workspace has one by that name; returns the paths written. */
export function writeFleetWorkflow(tree: Tree): string[] {
  if (tree.exists(FLEET_WORKFLOW)) return [];
  tree.write(FLEET_WORKFLOW, readFileSync(FLEET_WORKFLOW_SOURCE, 'utf-8'));
  return [FLEET_WORKFLOW];
}
