// createNodesV2: every hosts/<name>/host.json is a project, packages/profiles is project "profiles".
import {
  createNodesFromFiles,
  type CreateNodesContextV2,
  type CreateNodesResult,
  type CreateNodesV2,
} from '@nx/devkit';
import { dirname, basename } from 'node:path';
import { HOST_GLOB, HOSTNAME_PATTERN, PROFILES_GLOB, PROFILES_PROJECT, PROFILES_ROOT } from '../constants';
import { HostJsonError, readHostJson } from '../host/host-json';
import { normalizeOptions, type NixFleetPluginOptions, type NormalizedPluginOptions } from './options';
import { sharedHostInputs } from './shared-inputs';
import { hostTargets } from './targets';

export const NODES_GLOB = `{${HOST_GLOB},${PROFILES_GLOB}}`;

export const createNodesV2: CreateNodesV2<NixFleetPluginOptions> = [
  NODES_GLOB,
  async (files, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    let shared: string[] | undefined;
    // Shared inputs are found once per graph computation, not once per host.
    const sharedInputs = () => (shared ??= sharedHostInputs(context.workspaceRoot, options.flake));
    return createNodesFromFiles(
      (file, _opts, ctx) =>
        file === PROFILES_GLOB ? profilesNode() : hostNode(file, ctx, options, sharedInputs()),
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

export function hostNode(
  file: string,
  context: CreateNodesContextV2,
  options: NormalizedPluginOptions,
  sharedInputs: string[],
): CreateNodesResult {
  const root = dirname(file);
  const name = basename(root);
  if (!HOSTNAME_PATTERN.test(name)) {
    throw new HostJsonError(file, [
      `the folder name "${name}" is not a valid host name: use lowercase letters, digits and "-" (RFC 1123), e.g. hosts/web-1`,
    ]);
  }
  const host = readHostJson(context.workspaceRoot, file);
  const tags = [
    `type:${host.type}`,
    ...(host.roles ?? []).map((role) => `role:${role}`),
    ...(host.deployment?.tags ?? []),
  ];
  return {
    projects: {
      [root]: {
        name,
        projectType: 'application',
        tags: [...new Set(tags)],
        targets: hostTargets(name, sharedInputs, options),
        metadata: { description: `NixOS ${host.type} ${name} (${host.system})`, technologies: ['nix'] },
      },
    },
  };
}
