// Validation of names and lists given to the generators: every error names the flag and the fix.
import { getProjects, type Tree } from '@nx/devkit';
import { normalizeOptions, type NixFleetPluginOptions } from '../../graph/options';
import { GeneratorInputError, type NameCheckContext } from '../../host/names';
import { MODULE_NAME_PATTERN } from '../../host/patterns';
import { pluginEntry } from './workspace-files';

// One home for host names and the input error, shared with create-nix-fleet.
export { assertHostName, GeneratorInputError, parseList } from '../../host/names';

/**
 * What a new host's name must not collide with: the workspace's Nx projects that devkit sees
 * (project.json and package.json projects) and the target names of the plugin's options.
 */
export function nameCheckContext(tree: Tree): NameCheckContext {
  const projects = new Map<string, string>();
  for (const [name, project] of getProjects(tree)) projects.set(name, project.root);
  const entry = pluginEntry(tree);
  const options = normalizeOptions(typeof entry === 'object' ? (entry.options as NixFleetPluginOptions) : undefined);
  const { evalTargetName, buildTargetName, closureSizeTargetName, deployTargetName, rollbackTargetName, generationsTargetName, execTargetName, installTargetName, detectHardwareTargetName, vmTargetName, vmBuildTargetName } = options;
  return { projects, targetNames: [evalTargetName, buildTargetName, closureSizeTargetName, deployTargetName, rollbackTargetName, generationsTargetName, execTargetName, installTargetName, detectHardwareTargetName, vmTargetName, vmBuildTargetName] };
}

export { MODULE_NAME_PATTERN };
/** A dotted Nix attribute path below pkgs, e.g. `ripgrep` or `python3Packages.numpy`. */
export const NIX_ATTR_PATH_PATTERN = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;

/** Nix keywords: not usable as a bare attribute name. */
export const NIX_KEYWORDS = ['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or'];
/** Names that already mean something under `profiles.*` or in packages/profiles. */
export const RESERVED_PROFILE_NAMES = ['default', 'lib', 'home', 'machineType', 'machinetype', 'enable', 'roles', 'server'];
export const RESERVED_ROLE_NAMES = ['default', 'enable', 'roles'];

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
