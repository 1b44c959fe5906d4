// The inferred targets of a host project: build, closure-size and deploy.
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN_NAME, hostDistDir } from '../constants';
import { operationTargets } from './operation-targets';
import type { NormalizedPluginOptions } from './options';
import { waveDependency, type WaveIndex } from './waves';

/** A cheap runtime input: a new Nix version can evaluate the same flake differently. */
export const NIX_VERSION_INPUT = { runtime: 'nix --version' };

export function hostInputs(sharedInputs: string[], options: NormalizedPluginOptions) {
  return ['{projectRoot}/**/*', ...sharedInputs, ...options.extraInputs, NIX_VERSION_INPUT];
}

export function hostTargets(
  host: string,
  sharedInputs: string[],
  options: NormalizedPluginOptions,
  waves: WaveIndex = new Map(),
): Record<string, TargetConfiguration> {
  const wave = waveDependency(host, waves, options.deployTargetName);
  const inputs = hostInputs(sharedInputs, options);
  const dist = `{workspaceRoot}/${hostDistDir(host)}`;
  const flake = options.flake === '.' ? {} : { flake: options.flake };
  return {
    [options.buildTargetName]: {
      executor: `${PLUGIN_NAME}:build`,
      options: { host, ...flake },
      cache: true,
      inputs,
      outputs: [`${dist}/build.json`],
      metadata: {
        description: `Build the NixOS system of ${host} (nix build of its toplevel)`,
        technologies: ['nix'],
        help: { command: `npx nx run ${host}:${options.buildTargetName} --help`, example: { options: { dryRun: true } } },
      },
    },
    [options.closureSizeTargetName]: {
      executor: `${PLUGIN_NAME}:closure-size`,
      options: { host, ...flake },
      dependsOn: [options.buildTargetName],
      cache: true,
      inputs,
      outputs: [`${dist}/closure.json`],
      metadata: {
        description: `Report the closure size of ${host}, its growth against the baseline and its biggest paths`,
        technologies: ['nix'],
        help: { command: `npx nx run ${host}:${options.closureSizeTargetName} --help`, example: { options: { json: true } } },
      },
    },
    [options.deployTargetName]: {
      executor: `${PLUGIN_NAME}:deploy`,
      options: { host, ...wave.options },
      dependsOn: [options.buildTargetName, ...(wave.dependsOn ? [wave.dependsOn] : [])],
      cache: false,
      inputs,
      metadata: {
        description: `Copy the system of ${host} to the machine, activate it, confirm it and roll back on failure`,
        technologies: ['nix'],
        help: { command: `npx nx run ${host}:${options.deployTargetName} --help`, example: { options: { mode: 'boot' } } },
      },
    },
    ...operationTargets(host, options),
  };
}
