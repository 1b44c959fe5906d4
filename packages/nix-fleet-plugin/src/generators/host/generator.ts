// nx g @nix-fleet/nx:host <name> --type=...: hosts/<name>/{host.json,configuration.nix,hardware-configuration.nix}.
import { formatFiles, generateFiles, OverwriteStrategy, writeJson, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { assertHostNameFree } from '../../host/names';
import { PLACEHOLDER_MARK } from '../../host/preflight';
import { HOST_SCHEMA_REF, STATE_VERSION } from '../shared/constants';
import { MACHINE_TYPES_FILE, presetOffLine } from '../shared/machine-types';
import { nameCheckContext } from '../shared/names';
import { normalizeHostOptions, type NormalizedHostOptions } from './normalize';
import type { HostGeneratorSchema } from './schema';
import { planSopsStep } from './sops';

const PURPOSE: Record<NormalizedHostOptions['type'], string> = {
  laptop: 'a laptop. Its type switches on the profiles listed below; more in host.json.',
  desktop: 'a desktop. A workstation: its type switches on the profiles listed below; more in host.json.',
  server: 'a headless server (type "server"); its roles are listed in host.json.',
  vm: 'a headless virtual machine, a QEMU guest (type "vm").',
};

export async function hostGenerator(tree: Tree, schema: HostGeneratorSchema) {
  const options = normalizeHostOptions(tree, schema);
  // Before anything is written: a name Nx already knows breaks every later nx command.
  assertHostNameFree(options.name, 'name', nameCheckContext(tree));
  // Checks --age-key before anything is written.
  const sops = planSopsStep(tree, options, schema.ageKey);
  writeHostFiles(tree, options);
  sops.apply();
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    if (options.addressNote) console.log(options.addressNote);
    console.log(`Host ${options.name} added: build it with "nx build ${options.name}".`);
    for (const line of presetMessage(options)) console.log(line);
    for (const line of sops.messages()) console.log(line);
    if (options.type !== 'vm') {
      console.log(
        `Before the first build, replace ${options.root}/hardware-configuration.nix with the output of ` +
          '"nixos-generate-config --show-hardware-config" on the machine.',
      );
    }
  };
}

/** What the type switched on and the branch, said once the files are written. */
export function presetMessage(options: NormalizedHostOptions): string[] {
  const { type, preset, hostJson } = options;
  const on = preset.profiles.length > 0 ? preset.profiles.join(', ') : 'no profiles';
  const extra = hostJson.profiles?.length ? `; host.json adds ${hostJson.profiles.join(', ')}` : '';
  return [
    `Type ${type} switched on ${on}${extra} (${MACHINE_TYPES_FILE}); nixpkgs ${hostJson.nixpkgs ?? 'unstable'}.`,
    ...(preset.profiles.length > 0 ? [`Turn any of them off in ${options.root}/configuration.nix, e.g. profiles.${presetOffLine(preset.profiles[preset.profiles.length - 1])}`] : []),
  ];
}

/** Types whose preset switches Home Manager on get a hosts/<name>/home.nix of their own. */
export function hasHome(options: NormalizedHostOptions): boolean {
  return options.preset.profiles.includes('home') || Boolean(options.hostJson.profiles?.includes('home'));
}

export function writeHostFiles(tree: Tree, options: NormalizedHostOptions): void {
  const { name, root, type } = options;
  writeJson(tree, `${root}/host.json`, { $schema: HOST_SCHEMA_REF, ...options.hostJson });
  const substitutions = {
    tmpl: '',
    name,
    purpose: PURPOSE[type],
    stateVersion: STATE_VERSION,
    type,
    presetFile: MACHINE_TYPES_FILE,
    presetProfiles: options.preset.profiles,
    offLines: options.preset.profiles.map(presetOffLine),
    home: hasHome(options),
  };
  generateFiles(tree, join(__dirname, 'files', 'configuration'), root, substitutions, {
    overwriteStrategy: OverwriteStrategy.Overwrite,
  });
  // home.nix is the user's own file once written: --force keeps it, like a detected hardware file.
  if (substitutions.home && !tree.exists(`${root}/home.nix`)) {
    generateFiles(tree, join(__dirname, 'files', 'home'), root, substitutions);
  }
  const hardware = `${root}/hardware-configuration.nix`;
  const keepHardware = tree.exists(hardware) && !tree.read(hardware, 'utf-8')?.includes(PLACEHOLDER_MARK);
  if (!keepHardware) {
    const folder = type === 'vm' ? 'hardware-vm' : 'hardware-placeholder';
    generateFiles(tree, join(__dirname, 'files', folder), root, substitutions, {
      overwriteStrategy: OverwriteStrategy.Overwrite,
    });
  }
}

export default hostGenerator;
