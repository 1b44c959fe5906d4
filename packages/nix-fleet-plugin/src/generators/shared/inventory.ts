// What the workspace already has: hosts, profiles and server roles, read from the generator's tree.
import type { Tree } from '@nx/devkit';
import { HOST_FILE, HOSTS_DIR, PROFILES_ROOT } from '../../constants';

export const ROLES_DIR = `${PROFILES_ROOT}/server/roles`;
/** Entries of packages/profiles that are not profiles (see packages/profiles/default.nix). */
const NOT_PROFILES = ['default.nix', 'lib', 'home'];

/** Profiles: `.nix` files and folders in packages/profiles, except default.nix, lib/ and home/. */
export function existingProfiles(tree: Tree): string[] {
  if (!tree.exists(PROFILES_ROOT)) return [];
  return tree
    .children(PROFILES_ROOT)
    .filter((entry) => !NOT_PROFILES.includes(entry) && !entry.startsWith('.'))
    .flatMap((entry) => {
      if (tree.isFile(`${PROFILES_ROOT}/${entry}`)) return entry.endsWith('.nix') ? [entry.slice(0, -4)] : [];
      return [entry];
    })
    .sort();
}

/** Roles: `.nix` files in packages/profiles/server/roles, except default.nix. */
export function existingRoles(tree: Tree): string[] {
  if (!tree.exists(ROLES_DIR)) return [];
  return tree
    .children(ROLES_DIR)
    .filter((entry) => entry.endsWith('.nix') && entry !== 'default.nix' && tree.isFile(`${ROLES_DIR}/${entry}`))
    .map((entry) => entry.slice(0, -4))
    .sort();
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

/** "a, b, c" or "none yet" for messages. */
export function listForMessage(names: string[]): string {
  return names.length > 0 ? names.join(', ') : 'none yet';
}
