// createNodesV2: every hosts/<name>/host.json is a project, packages/profiles is project "profiles".
import {
  createNodesFromFiles,
  type CreateNodesContextV2,
  type CreateNodesResult,
  type CreateNodesV2,
} from '@nx/devkit';
import { dirname, basename } from 'node:path';
import { HOST_GLOB, HOSTNAME_PATTERN, PROFILES_GLOB, PROFILES_PROJECT, PROFILES_ROOT } from '../constants';
import { logger } from '@nx/devkit';
import { readHostJson, type HostJson } from '../host/host-json';
import { checkHostModules, fsReader, knownModules, type KnownModules } from '../host/known-modules';
import { normalizeOptions, type NixFleetPluginOptions, type NormalizedPluginOptions } from './options';
import { sharedHostInputs } from './shared-inputs';
import { hostTargets } from './targets';
import { readWaves, type WaveIndex } from './waves';

/** Tag of a host whose host.json does not load: `nx show projects -p tag:nix-fleet:invalid`. */
export const INVALID_TAG = 'nix-fleet:invalid';
/** Names a host folder cannot have: they are other projects of every fleet. */
export const RESERVED_PROJECT_NAMES = [PROFILES_PROJECT];

const isHostName = (name: string) => HOSTNAME_PATTERN.test(name) && !RESERVED_PROJECT_NAMES.includes(name);

export const NODES_GLOB = `{${HOST_GLOB},${PROFILES_GLOB}}`;

export const createNodesV2: CreateNodesV2<NixFleetPluginOptions> = [
  NODES_GLOB,
  async (files, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    let shared: string[] | undefined;
    let known: KnownModules | undefined;
    // Shared inputs and the known roles and profiles are read once per graph computation.
    const sharedInputs = () => (shared ??= sharedHostInputs(context.workspaceRoot, options.excludeInputs));
    const modules = () => (known ??= knownModules(fsReader(context.workspaceRoot)));
    // A host's deploy depends on the hosts of the wave below: all host files are read here, once.
    const waves = readWaves(context.workspaceRoot, files.filter((f) => f !== PROFILES_GLOB && isHostName(basename(dirname(f)))));
    return createNodesFromFiles(
      (file, _opts, ctx) =>
        file === PROFILES_GLOB ? profilesNode() : hostNode(file, ctx, options, sharedInputs(), modules(), waves),
      files,
      options,
      context,
    );
  },
];

/** Nx is moving the name back to createNodes; keep both. */
export const createNodes = createNodesV2;

function profilesNode(): CreateNodesResult {
  return {
    projects: {
      [PROFILES_ROOT]: {
        name: PROFILES_PROJECT,
        projectType: 'library',
        tags: ['nix:profiles'],
        metadata: { description: 'Option-gated NixOS profile modules', technologies: ['nix'] },
      },
    },
  };
}

/**
 * One host's project. A host.json that does not load (bad JSON, a wrong field, an unknown role)
 * still gives a project with its targets, so every other host keeps working; its targets fail
 * with the file, the field and the fix when they read host.json. A folder that cannot be a
 * project name is left out with a warning.
 */
export function hostNode(
  file: string,
  context: CreateNodesContextV2,
  options: NormalizedPluginOptions,
  sharedInputs: string[],
  known: KnownModules = {},
  waves: WaveIndex = new Map(),
): CreateNodesResult {
  const root = dirname(file);
  const name = basename(root);
  if (!isHostName(name)) {
    logger.warn(
      `nix-fleet: ${root} is not a host: "${name}" ${HOSTNAME_PATTERN.test(name) ? 'is the name of another project' : 'is not a valid host name'}. ` +
        'Rename the folder (lowercase letters, digits and "-", RFC 1123), e.g. hosts/web-1.',
    );
    return {};
  }
  let host: HostJson | undefined;
  let problem: string | undefined;
  try {
    host = readHostJson(context.workspaceRoot, file);
    checkHostModules(host, file, known);
  } catch (e) {
    problem = (e as Error).message;
    logger.warn(`nix-fleet: ${problem}`);
  }
  const tags = host && !problem
    ? [`type:${host.type}`, ...(host.roles ?? []).map((role) => `role:${role}`), ...(host.deployment?.tags ?? [])]
    : [INVALID_TAG];
  return {
    projects: {
      [root]: {
        name,
        projectType: 'application',
        tags: [...new Set(tags)],
        targets: hostTargets(name, sharedInputs, options, waves),
        metadata: {
          description: host && !problem ? `NixOS ${host.type} ${name} (${host.system})` : `NixOS host ${name}: ${file} is invalid, its targets fail until it is fixed`,
          technologies: ['nix'],
        },
      },
    },
  };
}
