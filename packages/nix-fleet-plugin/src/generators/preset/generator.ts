// The preset of npx create-nix-fleet: a whole fleet workspace, then its first hosts.
import { formatFiles, generateFiles, readJson, writeJson, type Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_NAME } from '../../constants';
import { hostGenerator } from '../host/generator';
import { assertFleetName, parseHostsOption, type FleetHost } from '../../host/names';
import { nameCheckContext } from '../shared/names';
import { ensureGitignore, GITIGNORE_ENTRIES, NO_LOCK_HINT, PLUGIN_ROOT, registerPlugin, writeFleetSkeleton } from '../shared/workspace-files';
import { ensureFleetSopsConfig } from '../shared/sops-admin';
import type { PresetGeneratorSchema } from './schema';

/** The first hosts of a new fleet: `--hosts=ares:laptop,web1:server` (see host/names.ts). */
export type PresetHost = FleetHost;
export { parseHostsOption };

export function versions(pluginRoot = PLUGIN_ROOT): { nx: string; plugin: string } {
  const plugin = JSON.parse(readFileSync(join(pluginRoot, 'package.json'), 'utf-8')).version as string;
  const nx = (require('nx/package.json') as { version: string }).version;
  return { nx, plugin };
}

export async function presetGenerator(tree: Tree, schema: PresetGeneratorSchema) {
  const name = assertFleetName(schema.name);
  const hosts = parseHostsOption(schema.hosts, nameCheckContext(tree));
  const { nx, plugin } = versions();
  // Before the first host: its --age-key rule then names the admin.
  const sops = ensureFleetSopsConfig(tree, schema.adminAgeKey);

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
    // The terminal UI closes when the tasks end, failed or not, instead of waiting for "q".
    tui: { autoExit: true, ...(nxJson.tui ?? {}) },
  });
  registerPlugin(tree);
  ensureGitignore(tree, GITIGNORE_ENTRIES);

  writeFleetSkeleton(tree, { keepHostsDir: hosts.length > 0 });
  generateFiles(tree, join(__dirname, 'files'), '.', { tmpl: '', name, hosts });

  for (const host of hosts) await hostGenerator(tree, { ...host, skipFormat: true });
  if (!schema.skipFormat) await formatFiles(tree);
  return () => {
    console.log(`Fleet ${name} is ready${hosts.length > 0 ? ` with ${hosts.map((h) => h.name).join(', ')}` : ''}.`);
    for (const line of sops) console.log(line);
    if (!tree.exists('flake.lock')) console.log(NO_LOCK_HINT);
  };
}

export default presetGenerator;
