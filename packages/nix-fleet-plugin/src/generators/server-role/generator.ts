// nx g @nix-fleet/nx:server-role <name>: packages/profiles/server/roles/<name>.nix, imported by itself.
import { formatFiles, generateFiles, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { existingRoles, ROLES_DIR } from '../shared/inventory';
import { assertModuleName, assertPackagePaths, GeneratorInputError, normalizeDescription, parseList } from '../shared/names';
import { nixAttrPath, nixComment, nixString } from '../shared/nix-text';
import type { ServerRoleGeneratorSchema } from './schema';

export interface NormalizedRoleOptions {
  name: string;
  description: string;
  services: string[];
  ports: number[];
  packages: string[];
  skipFormat: boolean;
}

export function normalizeRoleOptions(tree: Tree, schema: ServerRoleGeneratorSchema): NormalizedRoleOptions {
  const name = assertModuleName(schema.name, 'role');
  if (!tree.exists(`${ROLES_DIR}/default.nix`)) {
    throw new GeneratorInputError(
      `No role library at ${ROLES_DIR}/default.nix, so a new role would not be imported. ` +
        'Create the fleet with npx create-nix-fleet, or copy packages/profiles from the @nix-fleet/nx package.',
    );
  }
  if (existingRoles(tree).includes(name) || tree.exists(`${ROLES_DIR}/${name}.nix`)) {
    throw new GeneratorInputError(`Role "${name}" already exists at ${ROLES_DIR}/${name}.nix. Pick another name.`);
  }
  const ports = parseList(schema.ports === undefined ? undefined : [schema.ports].flat().map(String)).map((p) => {
    const port = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      throw new GeneratorInputError(`Invalid --ports entry "${p}": give TCP port numbers from 1 to 65535, e.g. --ports=80,443.`);
    }
    return port;
  });
  return {
    name,
    description: normalizeDescription(schema.description, ''),
    services: assertPackagePaths(parseList(schema.services), '--services'),
    ports,
    packages: assertPackagePaths(parseList(schema.packages)),
    skipFormat: Boolean(schema.skipFormat),
  };
}

export async function serverRoleGenerator(tree: Tree, schema: ServerRoleGeneratorSchema) {
  const options = normalizeRoleOptions(tree, schema);
  const { name, description } = options;
  generateFiles(tree, join(__dirname, 'files'), ROLES_DIR, {
    tmpl: '',
    name,
    comment: nixComment(description || `what servers with this role run; switch it on with --roles=${name}.`),
    attrPath: nixAttrPath(['profiles', 'server', 'roles', name]),
    enableText: nixString(`the ${name} role${description ? ` (${description.replace(/\.$/, '')})` : ''}`),
    services: options.services,
    ports: options.ports,
    packages: options.packages,
  });
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    console.log(`Role ${name} added at ${ROLES_DIR}/${name}.nix: use it with nx g @nix-fleet/nx:host <name> --type=server --roles=${name}.`);
  };
}

export default serverRoleGenerator;
