// What the workspace already has: hosts, profiles and server roles, read from the generator's tree
// (profiles and roles by the same code the graph uses on disk: host/known-modules.ts).
import type { Tree } from '@nx/devkit';
import { HOST_FILE, HOSTS_DIR } from '../../constants';
import { knownProfiles, knownRoles } from '../../host/known-modules';

export { ROLES_DIR, listForMessage } from '../../host/known-modules';

export function existingProfiles(tree: Tree): string[] {
  return knownProfiles(tree);
}

export function existingRoles(tree: Tree): string[] {
  return knownRoles(tree);
}

/** Hosts: folders of hosts/ holding a host.json. */
export function existingHosts(tree: Tree): string[] {
  if (!tree.exists(HOSTS_DIR)) return [];
  return tree
    .children(HOSTS_DIR)
    .filter((entry) => tree.exists(`${HOSTS_DIR}/${entry}/${HOST_FILE}`))
    .sort();
}

export function hostRoot(name: string): string {
  return `${HOSTS_DIR}/${name}`;
}

