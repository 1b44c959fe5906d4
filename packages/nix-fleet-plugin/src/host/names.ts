// Host and fleet names: syntax, reserved names and collisions with other Nx projects.
// Imports nothing but constants, so create-nix-fleet can check its arguments with it before
// npm has installed anything (tools/build-packages.mjs compiles it into that package too).
import { HOST_TARGET_NAMES, HOST_TYPES, HOSTNAME_PATTERN, PROFILES_PROJECT, PROFILES_ROOT, type HostType } from '../constants';

/** An input a generator or create-nix-fleet refuses; the message names the flag and the fix. */
export class GeneratorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorInputError';
  }
}

/** The fleet's name: its folder and package.json name. */
export const FLEET_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
export const HOSTS_EXAMPLE = '--hosts=ares:laptop,web1:server';

/** The default target names every host project gets (plugin options may rename them). */
export const DEFAULT_TARGET_NAMES: string[] = Object.values(HOST_TARGET_NAMES);

/**
 * Names a host may never take, with the reason. `profiles` is the Nx project of the profile
 * library: a host of that name makes every later nx command fail ("projects defined in
 * multiple locations"). A host named like a target reads as a target in `nx build build`.
 */
export function reservedHostNames(targetNames: string[] = DEFAULT_TARGET_NAMES): Map<string, string> {
  const reserved = new Map<string, string>([[PROFILES_PROJECT, `the Nx project of the profile library (${PROFILES_ROOT})`]]);
  for (const target of targetNames) reserved.set(target, `the name of a target every host has (nx run <host>:${target})`);
  return reserved;
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

export interface NameCheckContext {
  /** Nx projects the workspace has already (name -> root), other than hosts. */
  projects?: Map<string, string>;
  /** The workspace's target names, when the plugin options rename them. */
  targetNames?: string[];
}

/**
 * Refuses a host name that is reserved or already an Nx project; `flag` names the option in
 * the message (e.g. `name` or `--hosts entry "profiles:vm"`).
 */
export function assertHostNameFree(name: string, flag: string, context: NameCheckContext = {}): string {
  const reason = reservedHostNames(context.targetNames).get(name);
  if (reason !== undefined) {
    throw new GeneratorInputError(`Invalid ${flag}: the host name "${name}" is reserved: it is ${reason}. Pick another name, e.g. "${name}-1".`);
  }
  const root = context.projects?.get(name);
  if (root !== undefined) {
    throw new GeneratorInputError(
      `Invalid ${flag}: the host name "${name}" is taken by the Nx project at ${root || '.'}, and Nx needs every project name once. ` +
        'Pick another name.',
    );
  }
  return name;
}

export interface FleetHost {
  name: string;
  type: HostType;
}

/** Parses `--hosts=ares:laptop,web1:server`; every entry is checked before anything is written. */
export function parseHostsOption(value: string | string[] | undefined, context: NameCheckContext = {}): FleetHost[] {
  const hosts = parseList(value).map((entry) => {
    const [name, type, ...rest] = entry.split(':');
    if (type === undefined || rest.length > 0) {
      throw new GeneratorInputError(`Invalid --hosts entry "${entry}": give name:type pairs, e.g. ${HOSTS_EXAMPLE}.`);
    }
    assertHostName(name, '--hosts entry');
    if (!(HOST_TYPES as readonly string[]).includes(type)) {
      throw new GeneratorInputError(
        `Invalid --hosts entry "${entry}": unknown type "${type}"; use one of ${HOST_TYPES.join(', ')}, e.g. ${HOSTS_EXAMPLE}.`,
      );
    }
    assertHostNameFree(name, `--hosts entry "${entry}"`, context);
    return { name, type: type as HostType };
  });
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) throw new GeneratorInputError(`Host "${h.name}" is twice in --hosts. Give each host once.`);
    seen.add(h.name);
  }
  return hosts;
}

/** The fleet's name, as create-nix-fleet and the preset take it. */
export function assertFleetName(name: unknown): string {
  const value = typeof name === 'string' ? name.trim() : '';
  if (!FLEET_NAME_PATTERN.test(value)) {
    throw new GeneratorInputError(
      `Invalid name "${value}": the fleet's name is its folder and its package.json name, so use lowercase letters, ` +
        'digits, ".", "_" and "-". Pick a name like "my-fleet".',
    );
  }
  return value;
}
