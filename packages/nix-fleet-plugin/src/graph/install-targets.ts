// The targets of a machine's first day: install (nixos-anywhere, from the build's store paths)
// and vm (the host's system in a local QEMU VM, built like build and cached the same way).
import type { TargetConfiguration } from '@nx/devkit';
import { PLUGIN_NAME, hostDistDir } from '../constants';
import type { NormalizedPluginOptions } from './options';

export function installTargets(host: string, inputs: TargetConfiguration['inputs'], options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  const flake = options.flake === '.' ? {} : { flake: options.flake };
  const vmBuild = options.vmBuildTargetName;
  // Each target's help runs its own --help, under whatever name the plugin options give it.
  const meta = (target: string, description: string, example: Record<string, unknown>) => ({
    description,
    technologies: ['nix'],
    help: { command: `npx nx run ${host}:${target} --help`, example: { options: example } },
  });
  return {
    [options.installTargetName]: {
      executor: `${PLUGIN_NAME}:install`,
      options: { host, ...flake },
      dependsOn: [options.buildTargetName],
      // Wipes a machine's disks: never replayed from a cache.
      cache: false,
      inputs,
      metadata: meta(options.installTargetName, `Install ${host} on a new machine with nixos-anywhere (disko.nix, its SSH host key made here); needs --yes to wipe`, { targetHost: 'root@192.168.1.50', yes: true }),
    },
    // No build first: a host with --hardware=generated cannot evaluate until its hardware is detected.
    [options.detectHardwareTargetName]: {
      executor: `${PLUGIN_NAME}:install`,
      options: { host, generateHardwareConfig: true, ...flake },
      cache: false,
      inputs,
      metadata: meta(options.detectHardwareTargetName, `Boot the installer on ${host}'s machine, detect its hardware into hosts/${host}/hardware-configuration.nix and commit it; wipes nothing`, { targetHost: 'root@192.168.1.50' }),
    },
    [vmBuild]: {
      executor: `${PLUGIN_NAME}:vm`,
      options: { host, start: false, ...flake },
      cache: true,
      inputs,
      outputs: [`{workspaceRoot}/${hostDistDir(host)}/vm.json`],
      metadata: meta(vmBuild, `Build ${host} as a local QEMU VM (config.system.build.vm, as nixos-rebuild build-vm)`, {}),
    },
    [options.vmTargetName]: {
      executor: `${PLUGIN_NAME}:vm`,
      options: { host, start: true, ...flake },
      dependsOn: [vmBuild],
      cache: false,
      inputs,
      metadata: meta(options.vmTargetName, `Start ${host} in a local QEMU VM with its SSH port forwarded to a free local port`, { sshPort: 2222 }),
    },
  };
}
