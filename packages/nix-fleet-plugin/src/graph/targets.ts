// The inferred targets of a host project: eval, build, closure-size and deploy.
//
// Only eval reads the workspace's files. The build's cache key is what eval wrote, the host's
// drvPath and outPath, and closure-size's is the build record: a change that leaves a host's
// derivation as it was re-runs its eval and nothing after it.
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN_NAME, hostDistDir } from '../constants';
import { installTargets } from './install-targets';
import { operationTargets } from './operation-targets';
import type { NormalizedPluginOptions } from './options';
import type { SharedInput } from './shared-inputs';
import { waveDependencies, type WaveDependency, type WaveIndex } from './waves';

/** A cheap runtime input: a new Nix version can evaluate the same flake differently. */
export const NIX_VERSION_INPUT = { runtime: 'nix --version' };

/** The output files of the task this one depends on, by content: Nx hashes them when they exist. */
const dependencyOutput = (file: string) => ({ dependentTasksOutputFiles: `**/${file}`, transitive: false });

export function hostInputs(sharedInputs: SharedInput[], options: NormalizedPluginOptions) {
  return ['{projectRoot}/**/*', ...sharedInputs, ...options.extraInputs, NIX_VERSION_INPUT];
}

/** One host's targets by its name. */
export type HostTargets = (host: string) => Record<string, TargetConfiguration>;

/**
 * The targets of every host of one graph computation: the inputs and the deploy waves, which
 * every host shares, are worked out once; per host only the strings that name it are new.
 */
export function hostTargetsFactory(sharedInputs: SharedInput[], options: NormalizedPluginOptions, waves: WaveIndex = new Map()): HostTargets {
  const inputs = hostInputs(sharedInputs, options);
  const waveOf = waveDependencies(waves, options.deployTargetName);
  return (host) => hostTargets(host, inputs.slice(), options, waveOf(host));
}

function hostTargets(host: string, inputs: ReturnType<typeof hostInputs>, options: NormalizedPluginOptions, wave: WaveDependency): Record<string, TargetConfiguration> {
  const dist = `{workspaceRoot}/${hostDistDir(host)}`;
  const flake = options.flake === '.' ? {} : { flake: options.flake };
  return {
    [options.evalTargetName]: {
      executor: `${PLUGIN_NAME}:eval`,
      options: { host, ...flake },
      cache: true,
      inputs,
      outputs: [`${dist}/toplevel.json`],
      metadata: {
        description: `Evaluate the NixOS system of ${host} to its derivation (one evaluation shared by the hosts of a run)`,
        technologies: ['nix'],
        help: { command: `npx nx run ${host}:${options.evalTargetName} --help`, example: { options: { memoryPerHostMiB: 4096 } } },
      },
    },
    [options.buildTargetName]: {
      executor: `${PLUGIN_NAME}:build`,
      options: { host, ...flake },
      dependsOn: [options.evalTargetName],
      cache: true,
      inputs: [dependencyOutput('toplevel.json'), NIX_VERSION_INPUT],
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
      // Budgets and the baseline are read from the host's folder.
      inputs: [dependencyOutput('build.json'), '{projectRoot}/host.json', '{projectRoot}/closure-baseline.json', NIX_VERSION_INPUT],
      outputs: [`${dist}/closure.json`],
      metadata: {
        description: `Report the closure size of ${host}, its growth against the baseline and its biggest paths`,
        technologies: ['nix'],
        help: { command: `npx nx run ${host}:${options.closureSizeTargetName} --help`, example: { options: { json: true } } },
      },
    },
    [options.deployTargetName]: {
      executor: `${PLUGIN_NAME}:deploy`,
      // The flake realises a build restored from the Nx cache, and finds this run's evaluations.
      options: { host, ...flake, ...wave.options },
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
    ...installTargets(host, inputs, options),
  };
}
