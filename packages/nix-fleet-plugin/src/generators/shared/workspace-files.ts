// Workspace-level edits shared by the init and preset generators: plugin registration, .gitignore, template files.
import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PLUGIN_NAME } from '../../constants';
import { writeFleetWorkflow } from './fleet-ci';
import { fleetMarkdown } from './fleet-docs';

/** The plugin package's root folder, from src/generators/shared (source) or its compiled copy. */
export const PLUGIN_ROOT = join(__dirname, '..', '..', '..');

/** Build output, and secret keys: a file git tracks is in the flake, so in the world-readable store. */
export const GITIGNORE_ENTRIES = ['node_modules', 'dist', '.nx', 'result', 'result-*', '*.sec', '*.key'];

type PluginEntry = NonNullable<NonNullable<ReturnType<typeof readNxJson>>['plugins']>[number];

/** nx.json's entry for the plugin, by npm name or, in this monorepo, by its local path. */
export function pluginEntry(tree: Tree): PluginEntry | undefined {
  const plugins = tree.exists('nx.json') ? (readNxJson(tree)?.plugins ?? []) : [];
  return plugins.find((p) => {
    const name = typeof p === 'string' ? p : p.plugin;
    return name === PLUGIN_NAME || name.replace(/\/$/, '').endsWith('packages/nix-fleet-plugin');
  });
}

/** True when nx.json lists the plugin. */
export function isPluginRegistered(tree: Tree): boolean {
  return pluginEntry(tree) !== undefined;
}

/** Adds the plugin to nx.json once; creates nx.json when the workspace has none. */
export function registerPlugin(tree: Tree): boolean {
  if (!tree.exists('nx.json')) tree.write('nx.json', '{}');
  if (isPluginRegistered(tree)) return false;
  const nxJson = readNxJson(tree) ?? {};
  updateNxJson(tree, { ...nxJson, plugins: [...(nxJson.plugins ?? []), PLUGIN_NAME] });
  return true;
}


/** Appends the entries .gitignore lacks (comparing without a leading or trailing "/"). */
export function ensureGitignore(tree: Tree, entries: string[]): string[] {
  const text = tree.exists('.gitignore') ? (tree.read('.gitignore', 'utf-8') ?? '') : '';
  const have = new Set(text.split('\n').map((l) => l.trim().replace(/^\//, '').replace(/\/$/, '')));
  const missing = entries.filter((e) => !have.has(e));
  if (missing.length > 0) {
    const sep = text === '' || text.endsWith('\n') ? '' : '\n';
    tree.write('.gitignore', `${text}${sep}${missing.join('\n')}\n`);
  }
  return missing;
}

interface FleetTemplateList {
  files: string[];
}

/**
 * Where the fleet template lives: the built package's fleet-template/ folder, or this monorepo's
 * root when the plugin runs from source. Returns the base folder and the listed paths.
 */
export function fleetTemplate(pluginRoot = PLUGIN_ROOT): { base: string; files: string[] } {
  const list = JSON.parse(readFileSync(join(pluginRoot, 'fleet-template.json'), 'utf-8')) as FleetTemplateList;
  const built = join(pluginRoot, 'fleet-template');
  const base = existsSync(built) ? built : join(pluginRoot, '..', '..');
  return { base, files: list.files };
}

/** Copies a file or folder from disk into the tree (skipping editor and VCS clutter); returns files written. */
export function copyIntoTree(tree: Tree, from: string, to: string): number {
  const files = new Map<string, Buffer>();
  collectFiles(from, to, files);
  for (const [path, content] of files) tree.write(path, content);
  return files.size;
}

/** Printed while a fleet has no flake.lock: every build would try to download nixpkgs. */
export const NO_LOCK_HINT =
  'Next: run "nix flake lock" (it needs the network once) and commit flake.lock; until then every build tries to download nixpkgs.';

/**
 * The fleet skeleton from the template: flake.nix, the profile library and the user guides
 * (Markdown without its repository-only passages). Files the workspace has are kept.
 * Returns the paths written.
 */
export function writeFleetSkeleton(tree: Tree, opts: { keepHostsDir?: boolean } = {}): string[] {
  const template = fleetTemplate();
  const scratch = new Map<string, Buffer>();
  for (const file of template.files) collectFiles(join(template.base, file), file, scratch);
  const written: string[] = [];
  for (const [path, content] of scratch) {
    if (tree.exists(path)) continue;
    tree.write(path, path.endsWith('.md') ? fleetMarkdown(content.toString('utf-8')) : content);
    written.push(path);
  }
  written.push(...writeFleetWorkflow(tree));
  // flake.nix reads hosts/ with builtins.readDir; git (and so the flake) needs a file in it.
  if (!opts.keepHostsDir && !tree.exists('hosts')) {
    tree.write('hosts/.gitkeep', '');
    written.push('hosts/.gitkeep');
  }
  return written;
}

function collectFiles(from: string, to: string, into: Map<string, Buffer>): void {
  if (!existsSync(from)) return;
  if (statSync(from).isFile()) {
    into.set(to, readFileSync(from));
    return;
  }
  for (const entry of readdirSync(from).sort()) {
    if (entry.startsWith('.') || entry === 'node_modules' || entry === 'result') continue;
    collectFiles(join(from, entry), to ? `${to}/${entry}` : entry, into);
  }
}
