// createNodesV2: every hosts/<name>/host.json is a project, packages/profiles is project "profiles".
//
// Every nx command computes the graph, so this path imports nothing heavy: no @nx/devkit at run
// time (only its types; it is loaded when a warning is printed), no JSON-schema compiler (host.json
// is checked by generated code). Per host it reads one small JSON file, once; what all hosts share
// (the inputs, the target templates, the known roles and profiles, the deploy waves) is computed
// once per call.
import type { CreateNodesContextV2, CreateNodesResult, CreateNodesV2 } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { HOST_GLOB, HOSTNAME_PATTERN, INVALID_TAG, PROFILES_GLOB, PROFILES_PROJECT, PROFILES_ROOT } from '../constants';
import { parseHostJson, type HostJson } from '../host/host-json';
import { checkHostModules, fsReader, knownModules, type KnownModules } from '../host/known-modules';
import { normalizeOptions, type NixFleetPluginOptions } from './options';
import { sharedHostInputs } from './shared-inputs';
import { hostTargetsFactory, type HostTargets } from './targets';
import { readWaves, type WaveIndex } from './waves';

export { INVALID_TAG } from '../constants';
/** Names a host folder cannot have: they are other projects of every fleet. */
export const RESERVED_PROJECT_NAMES = [PROFILES_PROJECT];

const isHostName = (name: string) => HOSTNAME_PATTERN.test(name) && !RESERVED_PROJECT_NAMES.includes(name);

export const NODES_GLOB = `{${HOST_GLOB},${PROFILES_GLOB}}`;

/** A workspace file's text, read from disk once per graph computation. */
export type FileReader = (file: string) => string;

export function cachedReader(workspaceRoot: string): FileReader {
  const texts = new Map<string, string>();
  return (file) => {
    let text = texts.get(file);
    if (text === undefined) texts.set(file, (text = readFileSync(join(workspaceRoot, file), 'utf-8')));
    return text;
  };
}

/** What every host of one graph computation shares, computed on the first host that needs it. */
export interface SharedHostWork {
  targets(): HostTargets;
  known(): KnownModules;
  read: FileReader;
}

export function sharedHostWork(
  workspaceRoot: string,
  rawOptions: NixFleetPluginOptions | undefined,
  waves: WaveIndex = new Map(),
  read: FileReader = cachedReader(workspaceRoot),
): SharedHostWork {
  const options = normalizeOptions(rawOptions);
  let targets: HostTargets | undefined;
  let known: KnownModules | undefined;
  return {
    targets: () => (targets ??= hostTargetsFactory(sharedHostInputs(workspaceRoot, options.excludeInputs, undefined, options.flake), options, waves)),
    known: () => (known ??= knownModules(fsReader(workspaceRoot))),
    read,
  };
}

export const createNodesV2: CreateNodesV2<NixFleetPluginOptions> = [
  NODES_GLOB,
  async (files, rawOptions, context) => {
    // Each host.json is read once: the deploy waves need every host's before any host's targets.
    const read = cachedReader(context.workspaceRoot);
    // The profile library's file is in "profiles", a reserved name: no host.
    const hostFiles = files.filter((f) => isHostName(basename(dirname(f))));
    const shared = sharedHostWork(context.workspaceRoot, rawOptions, readWaves(context.workspaceRoot, hostFiles, read), read);
    // What devkit's createNodesFromFiles does, without loading devkit: every file's result, in order.
    const results: Array<readonly [string, CreateNodesResult]> = [];
    const errors: Array<[string, Error]> = [];
    for (const file of files) {
      try {
        results.push([file, file === PROFILES_GLOB ? profilesNode() : hostNode(file, context, shared)]);
      } catch (e) {
        errors.push([file, e as Error]);
      }
    }
    if (errors.length > 0) {
      const { AggregateCreateNodesError } = require('@nx/devkit') as typeof import('@nx/devkit');
      throw new AggregateCreateNodesError(errors, results as Array<[string, CreateNodesResult]>);
    }
    return results;
  },
];

/** Warnings go through Nx's logger, loaded only when there is something to say. */
function warn(message: string): void {
  (require('@nx/devkit') as typeof import('@nx/devkit')).logger.warn(message);
}

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
export function hostNode(file: string, context: CreateNodesContextV2, shared: SharedHostWork): CreateNodesResult {
  const root = dirname(file);
  const name = basename(root);
  if (!isHostName(name)) {
    warn(
      `nix-fleet: ${root} is not a host: "${name}" ${HOSTNAME_PATTERN.test(name) ? 'is the name of another project' : 'is not a valid host name'}. ` +
        'Rename the folder (lowercase letters, digits and "-", RFC 1123), e.g. hosts/web-1.',
    );
    return {};
  }
  let host: HostJson | undefined;
  let problem: string | undefined;
  try {
    host = parseHostJson(shared.read(file), file);
    checkHostModules(host, file, shared.known());
  } catch (e) {
    problem = (e as Error).message;
    warn(`nix-fleet: ${problem}`);
  }
  const tags = host && !problem
    ? [
        `type:${host.type}`,
        // Every host says its branch, so `-p tag:nixpkgs:stable` (or unstable) selects a release's hosts.
        `nixpkgs:${host.nixpkgs ?? 'unstable'}`,
        ...(host.roles ?? []).map((role) => `role:${role}`),
        ...(host.deployment?.tags ?? []),
      ]
    : [INVALID_TAG];
  return {
    projects: {
      [root]: {
        name,
        projectType: 'application',
        tags: [...new Set(tags)],
        targets: shared.targets()(name),
        metadata: {
          description: host && !problem ? `NixOS ${host.type} ${name} (${host.system}, nixpkgs ${host.nixpkgs ?? 'unstable'})` : `NixOS host ${name}: ${file} is invalid, its targets fail until it is fixed`,
          technologies: ['nix'],
        },
      },
    },
  };
}
