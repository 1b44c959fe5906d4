// The profiles and server roles a workspace has, read from its files: by the generators (on
// their tree) and by the graph and executors (on disk), so a host.json naming one that does
// not exist is reported with the known names, not deep inside Nix.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES_ROOT } from '../constants';
import { HostJsonError, type HostJson } from './host-json';

export const ROLES_DIR = `${PROFILES_ROOT}/server/roles`;
/** Entries of packages/profiles that are not profiles (see packages/profiles/default.nix). */
const NOT_PROFILES = ['default.nix', 'lib', 'home'];

/** What reading needs: devkit's Tree has it, and fsReader gives it for a folder on disk. */
export interface DirReader {
  exists(path: string): boolean;
  isFile(path: string): boolean;
  children(path: string): string[];
  read(path: string, encoding: 'utf-8'): string | null;
}

export function fsReader(root: string): DirReader {
  const abs = (p: string) => join(root, p);
  return {
    exists: (p) => existsSync(abs(p)),
    isFile: (p) => existsSync(abs(p)) && statSync(abs(p)).isFile(),
    children: (p) => (existsSync(abs(p)) ? readdirSync(abs(p)) : []),
    read: (p) => (existsSync(abs(p)) ? readFileSync(abs(p), 'utf-8') : null),
  };
}

function declaresProfile(text: string | null, name: string): boolean {
  if (!text) return false;
  const attr = `(?:${name}|"${name}")`;
  return new RegExp(`options\\.profiles\\.${attr}\\s*=\\s*\\{`).test(text);
}

/**
 * Profiles: `.nix` files and folders in packages/profiles (except default.nix, lib/ and home/)
 * that declare `options.profiles.<name> = {` (a folder in its default.nix). Files such as
 * machine-type.nix or unfree.nix set other `profiles.*` options and are not profiles.
 */
export function knownProfiles(r: DirReader): string[] {
  return r
    .children(PROFILES_ROOT)
    .filter((entry) => !NOT_PROFILES.includes(entry) && !entry.startsWith('.'))
    .flatMap((entry) => {
      const path = `${PROFILES_ROOT}/${entry}`;
      if (r.isFile(path)) {
        const name = entry.slice(0, -4);
        return entry.endsWith('.nix') && declaresProfile(r.read(path, 'utf-8'), name) ? [name] : [];
      }
      return declaresProfile(r.read(`${path}/default.nix`, 'utf-8'), entry) ? [entry] : [];
    })
    .sort();
}

/** Roles: `.nix` files in packages/profiles/server/roles, except default.nix. */
export function knownRoles(r: DirReader): string[] {
  return r
    .children(ROLES_DIR)
    .filter((entry) => entry.endsWith('.nix') && entry !== 'default.nix' && r.isFile(`${ROLES_DIR}/${entry}`))
    .map((entry) => entry.slice(0, -4))
    .sort();
}

export interface KnownModules {
  /** Undefined when the workspace has no profile library to check against. */
  profiles?: string[];
  roles?: string[];
}

export function knownModules(r: DirReader): KnownModules {
  const profiles = knownProfiles(r);
  return { profiles: profiles.length > 0 ? profiles : undefined, roles: r.exists(ROLES_DIR) ? knownRoles(r) : undefined };
}

/** "a, b, c" or "none yet" for messages. */
export function listForMessage(names: string[]): string {
  return names.length > 0 ? names.join(', ') : 'none yet';
}

/**
 * Refuses roles and profiles the workspace does not have, naming the known ones and the fix,
 * and what the schema cannot say in words: a health check with both a command and a URL (its
 * oneOf fails with nothing a person can read, and one of the two would be ignored).
 */
export function checkHostModules(hostJson: HostJson, file: string, known: KnownModules): void {
  const problems: string[] = [];
  (hostJson.deployment?.healthChecks ?? []).forEach((check, i) => {
    if (check.command !== undefined && check.url !== undefined) {
      problems.push(`"deployment.healthChecks.${i}" has both "command" and "url": a check is one of them. Split it into two checks.`);
    }
  });
  for (const [field, names, have, generator] of [
    ['roles', hostJson.roles, known.roles, 'server-role'],
    ['profiles', hostJson.profiles, known.profiles, 'profile'],
  ] as const) {
    if (!have) continue;
    for (const name of names ?? []) {
      if (!have.includes(name)) {
        problems.push(`"${field}" has "${name}", which ${PROFILES_ROOT} does not define. Known ${field}: ${listForMessage(have)}. Fix the name, or create it with: nx g @nix-fleet/nx:${generator} ${name}`);
      }
    }
  }
  if (known.profiles) problems.push(...disabledPathProblems(hostJson.disabledProfiles ?? [], known.profiles, known.roles));
  if (problems.length > 0) throw new HostJsonError(file, problems);
}

/** disabledProfiles paths whose profile (or server role) the workspace does not have. */
function disabledPathProblems(paths: string[], profiles: string[], roles: string[] | undefined): string[] {
  const problems: string[] = [];
  for (const path of paths) {
    // A switched-off path names its profile first: "power-user.scientific.octave" -> power-user.
    const profile = path.split('.')[0];
    if (!profiles.includes(profile)) {
      problems.push(`"disabledProfiles" has "${path}", but ${PROFILES_ROOT} defines no profile "${profile}". Known profiles: ${listForMessage(profiles)}.`);
    }
    // Roles are files too: "server.roles.mail" names one, which NixOS would only call a missing option.
    const role = /^server\.roles\.([^.]+)/.exec(path)?.[1];
    if (role !== undefined && roles && !roles.includes(role)) {
      problems.push(`"disabledProfiles" has "${path}", but ${ROLES_DIR} defines no role "${role}". Known roles: ${listForMessage(roles)}.`);
    }
  }
  return problems;
}
