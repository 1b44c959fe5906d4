// What the workspace already has: hosts, profiles and server roles, read from the generator's tree.
import type { Tree } from '@nx/devkit';
import { HOST_FILE, HOSTS_DIR, PROFILES_ROOT } from '../../constants';

export const ROLES_DIR = `${PROFILES_ROOT}/server/roles`;
/** Entries of packages/profiles that are not profiles (see packages/profiles/default.nix). */
const NOT_PROFILES = ['default.nix', 'lib', 'home'];

/**
 * Profiles: `.nix` files and folders in packages/profiles (except default.nix, lib/ and home/)
 * that declare `options.profiles.<name> = {` (a folder in its default.nix). Files such as
 * machine-type.nix or unfree.nix set other `profiles.*` options and are not profiles.
 */
export function existingProfiles(tree: Tree): string[] {
  if (!tree.exists(PROFILES_ROOT)) return [];
  return tree
    .children(PROFILES_ROOT)
    .filter((entry) => !NOT_PROFILES.includes(entry) && !entry.startsWith('.'))
    .flatMap((entry) => {
      const path = `${PROFILES_ROOT}/${entry}`;
      if (tree.isFile(path)) {
        const name = entry.slice(0, -4);
        return entry.endsWith('.nix') && declaresProfile(tree.read(path, 'utf-8'), name) ? [name] : [];
      }
      return declaresProfile(tree.read(`${path}/default.nix`, 'utf-8'), entry) ? [entry] : [];
    })
    .sort();
}

function declaresProfile(text: string | null, name: string): boolean {
  if (!text) return false;
  const attr = `(?:${name}|"${name}")`;
  return new RegExp(`options\\.profiles\\.${attr}\\s*=\\s*\\{`).test(text);
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
