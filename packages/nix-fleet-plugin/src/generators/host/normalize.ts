// Checks every host generator option before anything is written; errors name the flag and the fix.
import type { Tree } from '@nx/devkit';
import { HOST_SYSTEMS, HOST_TYPES, type HostType } from '../../constants';
import { NIXPKGS_BRANCHES, parseHostJson, type HostJson, type NixpkgsBranch } from '../../host/host-json';
import { TAG_PATTERN } from '../../host/patterns';
import { parseTargetAddress, TARGET_USER_PATTERN, type TargetAddress } from '../../host/target-address';
import { existingHosts, existingProfiles, existingRoles, hostRoot, listForMessage } from '../shared/inventory';
import { readMachineTypes, type MachineType } from '../shared/machine-types';
import { assertHostName, GeneratorInputError, parseList } from '../shared/names';
import type { HostGeneratorSchema } from './schema';

/** The nixpkgs branch a new host of each type follows: servers stay on the release. */
export const TYPE_NIXPKGS: Record<HostType, NixpkgsBranch> = {
  laptop: 'unstable',
  desktop: 'unstable',
  server: 'stable',
  vm: 'unstable',
};

export interface NormalizedHostOptions {
  name: string;
  type: HostType;
  root: string;
  hostJson: HostJson;
  /** What the type switches on (packages/profiles/lib/machine-types.json). */
  preset: MachineType;
  overwrite: boolean;
  skipFormat: boolean;
  /** Said to the user when --target-host was split into host, user and port. */
  addressNote?: string;
}

export function normalizeHostOptions(tree: Tree, options: HostGeneratorSchema): NormalizedHostOptions {
  const name = assertHostName(options.name);
  const root = hostRoot(name);
  const type = options.type as HostType;
  if (!HOST_TYPES.includes(type)) {
    throw new GeneratorInputError(`Unknown --type "${options.type ?? ''}". Use one of ${HOST_TYPES.join(', ')}.`);
  }
  const system = options.system ?? 'x86_64-linux';
  if (!(HOST_SYSTEMS as readonly string[]).includes(system)) {
    throw new GeneratorInputError(`Unknown --system "${system}". Use one of ${HOST_SYSTEMS.join(', ')}.`);
  }
  const nixpkgs = (options.nixpkgs ?? TYPE_NIXPKGS[type]) as NixpkgsBranch;
  if (!NIXPKGS_BRANCHES.includes(nixpkgs)) {
    throw new GeneratorInputError(`Unknown --nixpkgs "${options.nixpkgs}". Use one of ${NIXPKGS_BRANCHES.join(', ')}.`);
  }
  if (!options.force && (existingHosts(tree).includes(name) || tree.exists(root))) {
    throw new GeneratorInputError(`Host "${name}" already exists at ${root}. Pick another name or pass --force.`);
  }

  const roles = parseList(options.roles);
  if (roles.length > 0 && type !== 'server') {
    throw new GeneratorInputError(
      `--roles is for servers, but --type is "${type}". Pass --type=server, or drop --roles and use --profiles.`,
    );
  }
  const knownRoles = existingRoles(tree);
  for (const role of roles) {
    if (!knownRoles.includes(role)) {
      throw new GeneratorInputError(
        `Unknown role "${role}" in --roles. Known roles: ${listForMessage(knownRoles)}. ` +
          `Create it first with: nx g @nix-fleet/nx:server-role ${/^[a-z][a-z0-9-]*$/.test(role) ? role : '<name>'}`,
      );
    }
  }

  const profiles = parseList(options.profiles);
  const knownProfiles = existingProfiles(tree);
  for (const profile of profiles) {
    if (!knownProfiles.includes(profile)) {
      throw new GeneratorInputError(
        `Unknown profile "${profile}" in --profiles. Known profiles: ${listForMessage(knownProfiles)}. ` +
          `Create it first with: nx g @nix-fleet/nx:profile ${/^[a-z][a-z0-9-]*$/.test(profile) ? profile : '<name>'}`,
      );
    }
  }
  // The type's preset profiles are on already; listing them again would only add noise.
  const preset = readMachineTypes(tree)[type];
  const hostProfiles = profiles.filter((p, i, all) => all.indexOf(p) === i && !preset.profiles.includes(p));

  const tags = parseList(options.tags);
  for (const tag of tags) {
    if (!TAG_PATTERN.test(tag)) {
      throw new GeneratorInputError(`Invalid --tags entry "${tag}": use letters, digits and : . _ / - only, e.g. --tags=site:home.`);
    }
  }
  if (options.targetUser !== undefined && !TARGET_USER_PATTERN.test(options.targetUser)) {
    throw new GeneratorInputError(`Invalid --target-user "${options.targetUser}": give a Unix user name, e.g. --target-user=root.`);
  }
  let address: TargetAddress | undefined;
  if (options.targetHost !== undefined) {
    try {
      address = parseTargetAddress(options.targetHost, '--target-host', { user: options.targetUser });
    } catch (e) {
      throw new GeneratorInputError((e as Error).message);
    }
  }

  const deployment: NonNullable<HostJson['deployment']> = {};
  if (address) deployment.targetHost = address.host;
  if (address?.user ?? options.targetUser) deployment.targetUser = address?.user ?? options.targetUser;
  if (address?.port !== undefined) deployment.port = address.port;
  if (tags.length > 0) deployment.tags = tags;
  const hostJson: HostJson = {
    type,
    system: system as HostJson['system'],
    nixpkgs,
    ...(roles.length > 0 ? { roles } : {}),
    ...(hostProfiles.length > 0 ? { profiles: hostProfiles } : {}),
    ...(Object.keys(deployment).length > 0 ? { deployment } : {}),
  };
  // The same schema check the graph runs: a host the generator writes always loads.
  parseHostJson(JSON.stringify(hostJson), `${root}/host.json`);
  return { name, type, root, hostJson, preset, overwrite: Boolean(options.force), skipFormat: Boolean(options.skipFormat), addressNote: address?.note };
}
