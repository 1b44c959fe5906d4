// nx g @nix-fleet/nx:profile <name>: packages/profiles/<name>.nix, switched on in hosts via host.json.
import { formatFiles, generateFiles, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { PROFILES_ROOT } from '../../constants';
import { addProfileToHost, assertHostsExist } from '../shared/host-list';
import { existingProfiles } from '../shared/inventory';
import {
  assertModuleName,
  assertOptionNames,
  assertPackagePaths,
  GeneratorInputError,
  normalizeDescription,
  parseList,
} from '../shared/names';
import { nixAttr, nixAttrPath, nixComment, nixString } from '../shared/nix-text';
import type { ProfileGeneratorSchema } from './schema';

export interface NormalizedProfileOptions {
  name: string;
  description: string;
  subOptions: string[];
  packages: string[];
  enableOn: string[];
  skipFormat: boolean;
}

export function normalizeProfileOptions(tree: Tree, schema: ProfileGeneratorSchema): NormalizedProfileOptions {
  const name = assertModuleName(schema.name, 'profile');
  if (!tree.exists(`${PROFILES_ROOT}/default.nix`)) {
    throw new GeneratorInputError(
      `No profile library at ${PROFILES_ROOT}/default.nix, so a new profile would not be imported. ` +
        'Create the fleet with npx create-nix-fleet, or copy packages/profiles from the @nix-fleet/nx package.',
    );
  }
  if (existingProfiles(tree).includes(name) || tree.exists(`${PROFILES_ROOT}/${name}.nix`)) {
    throw new GeneratorInputError(`Profile "${name}" already exists in ${PROFILES_ROOT}. Pick another name.`);
  }
  return {
    name,
    description: normalizeDescription(schema.description, ''),
    subOptions: assertOptionNames(parseList(schema.options), '--options'),
    packages: assertPackagePaths(parseList(schema.packages)),
    enableOn: assertHostsExist(tree, parseList(schema.enableOn), '--enable-on'),
    skipFormat: Boolean(schema.skipFormat),
  };
}

export async function profileGenerator(tree: Tree, schema: ProfileGeneratorSchema) {
  const options = normalizeProfileOptions(tree, schema);
  const { name, description } = options;
  generateFiles(tree, join(__dirname, 'files'), PROFILES_ROOT, {
    tmpl: '',
    name,
    comment: nixComment(description || `the ${name} profile, off until a host switches it on.`),
    attrPath: nixAttrPath(['profiles', name]),
    enableText: nixString(`the ${name} profile${description ? ` (${description.replace(/\.$/, '')})` : ''}`),
    subOptions: options.subOptions.map((opt) => ({ name: opt, attr: nixAttr(opt), text: nixString(opt) })),
    packages: options.packages,
  });
  for (const host of options.enableOn) addProfileToHost(tree, host, name);
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    const on = options.enableOn.length > 0 ? `; on in ${options.enableOn.join(', ')}` : '';
    console.log(`Profile ${name} added at ${PROFILES_ROOT}/${name}.nix (profiles.${name}.enable${on}).`);
  };
}

export default profileGenerator;
