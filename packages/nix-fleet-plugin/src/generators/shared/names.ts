// Validation of names and lists given to the generators: every error names the flag and the fix.
import { HOSTNAME_PATTERN } from '../../constants';

import { MODULE_NAME_PATTERN } from '../../host/patterns';

export { MODULE_NAME_PATTERN };
/** A dotted Nix attribute path below pkgs, e.g. `ripgrep` or `python3Packages.numpy`. */
export const NIX_ATTR_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;

/** Nix keywords: not usable as a bare attribute name. */
export const NIX_KEYWORDS = ['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or'];
/** Names that already mean something under `profiles.*` or in packages/profiles. */
export const RESERVED_PROFILE_NAMES = ['default', 'lib', 'home', 'machineType', 'machinetype', 'enable', 'roles', 'server'];
export const RESERVED_ROLE_NAMES = ['default', 'enable', 'roles'];

export class GeneratorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorInputError';
  }
}

/** Splits `a,b` (or an array from the CLI) into trimmed, non-empty, de-duplicated entries. */
export function parseList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  return [...new Set(parts.map((p) => p.trim()).filter((p) => p.length > 0))];
}

export function assertHostName(name: unknown, flag = 'name'): string {
  const value = typeof name === 'string' ? name.trim() : '';
  if (!value) {
    throw new GeneratorInputError(`Missing host name. Pass it first: nx g @nix-fleet/nx:host <name> --type=laptop.`);
  }
  if (!HOSTNAME_PATTERN.test(value)) {
    throw new GeneratorInputError(
      `Invalid ${flag} "${value}": a host name is an RFC 1123 label (lowercase letters, digits and "-", ` +
        `at most 63 characters, not starting or ending with "-"). Pick a name like "web-1".`,
    );
  }
  return value;
}

/** Checks a profile or role name; `kind` is "profile" or "role", used in the message. */
export function assertModuleName(name: unknown, kind: 'profile' | 'role', flag = 'name'): string {
  const value = typeof name === 'string' ? name.trim() : '';
  const generator = kind === 'profile' ? 'profile' : 'server-role';
  if (!value) {
    throw new GeneratorInputError(`Missing ${kind} name. Pass it first: nx g @nix-fleet/nx:${generator} <name>.`);
  }
  if (!MODULE_NAME_PATTERN.test(value)) {
    throw new GeneratorInputError(
      `Invalid ${flag} "${value}": a ${kind} name starts with a lowercase letter and has only lowercase letters, ` +
        `digits and "-" (it becomes a file name and a Nix attribute). Pick a name like "media-server".`,
    );
  }
  const reserved = kind === 'profile' ? RESERVED_PROFILE_NAMES : RESERVED_ROLE_NAMES;
  if (reserved.includes(value) || NIX_KEYWORDS.includes(value)) {
    throw new GeneratorInputError(
      `Invalid ${flag} "${value}": the name is reserved (${[...reserved, ...NIX_KEYWORDS].join(', ')}). Pick another name.`,
    );
  }
  return value;
}

/** Sub-option names of a profile (`--options=jellyfin,plex`). */
export function assertOptionNames(values: string[], flag: string): string[] {
  for (const value of values) {
    if (!MODULE_NAME_PATTERN.test(value) || NIX_KEYWORDS.includes(value) || value === 'enable') {
      throw new GeneratorInputError(
        `Invalid ${flag} entry "${value}": an option name starts with a lowercase letter, has only lowercase ` +
          `letters, digits and "-", and is not "enable" or a Nix keyword. Example: ${flag}=jellyfin,plex.`,
      );
    }
  }
  return values;
}

/** Package attribute paths (`--packages=ripgrep,python3Packages.numpy`). */
export function assertPackagePaths(values: string[], flag = '--packages'): string[] {
  for (const value of values) {
    const keyword = value.split('.').find((part) => NIX_KEYWORDS.includes(part));
    if (!NIX_ATTR_PATH_PATTERN.test(value) || keyword) {
      throw new GeneratorInputError(
        `Invalid ${flag} entry "${value}": give nixpkgs attribute paths separated by commas, ` +
          `e.g. ${flag}=ripgrep,python3Packages.numpy (look names up with "nix search nixpkgs <word>").`,
      );
    }
  }
  return values;
}

/** Plain single-line text for comments and Nix strings. */
export function normalizeDescription(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  const text = String(value).replace(/\s+/g, ' ').trim();
  return text.length > 0 ? text : fallback;
}
