// The preset of npx create-nix-fleet: a whole fleet workspace, then its first hosts.
import { formatFiles, generateFiles, readJson, writeJson, type Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_TYPES, PLUGIN_NAME, type HostType } from '../../constants';
import { hostGenerator } from '../host/generator';
import { assertHostName, GeneratorInputError, parseList } from '../shared/names';
import {
  copyIntoTree,
  ensureGitignore,
  fleetTemplate,
  GITIGNORE_ENTRIES,
  PLUGIN_ROOT,
  registerPlugin,
} from '../shared/workspace-files';
import type { PresetGeneratorSchema } from './schema';

const HOSTS_EXAMPLE = '--hosts=ares:laptop,web1:server';

export interface PresetHost {
  name: string;
  type: HostType;
}

/** Parses `--hosts=ares:laptop,web1:server`; every entry is checked before anything is written. */
export function parseHostsOption(value: string | string[] | undefined): PresetHost[] {
  const hosts = parseList(value).map((entry) => {
    const [name, type, ...rest] = entry.split(':');
    if (type === undefined || rest.length > 0) {
      throw new GeneratorInputError(`Invalid --hosts entry "${entry}": give name:type pairs, e.g. ${HOSTS_EXAMPLE}.`);
    }
    assertHostName(name, '--hosts entry');
    if (!(HOST_TYPES as readonly string[]).includes(type)) {
      throw new GeneratorInputError(
        `Invalid --hosts entry "${entry}": unknown type "${type}"; use one of ${HOST_TYPES.join(', ')}, e.g. ${HOSTS_EXAMPLE}.`,
      );
    }
    return { name, type: type as HostType };
  });
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) throw new GeneratorInputError(`Host "${h.name}" is twice in --hosts. Give each host once.`);
    seen.add(h.name);
  }
  return hosts;
}

export function versions(pluginRoot = PLUGIN_ROOT): { nx: string; plugin: string } {
  const plugin = JSON.parse(readFileSync(join(pluginRoot, 'package.json'), 'utf-8')).version as string;
  const nx = (require('nx/package.json') as { version: string }).version;
  return { nx, plugin };
}

export async function presetGenerator(tree: Tree, schema: PresetGeneratorSchema) {
  const name = typeof schema.name === 'string' ? schema.name.trim() : '';
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    throw new GeneratorInputError(
      `Invalid name "${name}": the fleet's name is its package.json name (lowercase letters, digits, ".", "_", "-"). ` +
        'Pick a name like "my-fleet".',
    );
  }
  const hosts = parseHostsOption(schema.hosts);
  const { nx, plugin } = versions();

  const existing = tree.exists('package.json') ? readJson(tree, 'package.json') : {};
  writeJson(tree, 'package.json', {
    ...existing,
    name,
    version: '0.0.0',
    private: true,
    devDependencies: { ...(existing.devDependencies ?? {}), nx, [PLUGIN_NAME]: plugin },
  });
  const nxJson = tree.exists('nx.json') ? readJson(tree, 'nx.json') : {};
  writeJson(tree, 'nx.json', {
    $schema: './node_modules/nx/schemas/nx-schema.json',
    ...nxJson,
    analytics: false,
    cacheDirectory: '.nx/cache',
    defaultBase: nxJson.defaultBase ?? 'main',
  });
  registerPlugin(tree);
  ensureGitignore(tree, GITIGNORE_ENTRIES);

  const template = fleetTemplate();
  for (const file of template.files) copyIntoTree(tree, join(template.base, file), file);
  // flake.nix reads hosts/ with builtins.readDir; git (and so the flake) needs a file in it.
  if (hosts.length === 0) tree.write('hosts/.gitkeep', '');
  generateFiles(tree, join(__dirname, 'files'), '.', { tmpl: '', name, hosts });

  for (const host of hosts) await hostGenerator(tree, { ...host, skipFormat: true });
  if (!schema.skipFormat) await formatFiles(tree);
  return () => {
    console.log(`Fleet ${name} is ready${hosts.length > 0 ? ` with ${hosts.map((h) => h.name).join(', ')}` : ''}.`);
  };
}

export default presetGenerator;
