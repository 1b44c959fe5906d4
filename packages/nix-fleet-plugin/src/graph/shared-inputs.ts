// The inputs every host's build shares: every file git tracks, except a short documented list.
//
// The flake sees every tracked file, so any of them may change a system: a module six folders
// deep, a sops file under secrets/, a lock file. A missed input is a stale build, an extra one
// only a rebuild, so inputs are complete by construction and only DEFAULT_INPUT_EXCLUDES (and
// a workspace's own excludeInputs) are left out.
//
// Nx's hasher applies `!` exclusions, but `nx affected` reads only the positive globs, so a
// catch-all `{workspaceRoot}/**/*` would mark every host affected by any change. The positive
// globs are therefore one per top-level entry of the workspace (all of it, however deep), with
// excluded folders left out; the exclusions follow for the hasher.
import { existsSync, readdirSync } from 'node:fs';
import { HOSTS_DIR, HOST_FILE } from '../constants';
import { globToRegExp, matchesAny } from './glob';

/** Other hosts' own Nix and sub-folders (the host's own folder is its {projectRoot} input). */
const OTHER_HOSTS_EXCLUDES = [`${HOSTS_DIR}/*/*.nix`, `${HOSTS_DIR}/*/*/**`];

export const DEFAULT_INPUT_EXCLUDES = [
  // Build output, including other hosts' build records.
  'dist/**',
  // Prose.
  'docs/**',
  '**/*.md',
  // Their host.json stays an input: the flake hands every host the whole inventory.
  ...OTHER_HOSTS_EXCLUDES,
  // The plugin's own sources, where a workspace develops it (a fleet has it in node_modules).
  'packages/nix-fleet-plugin/**',
];

/** Never workspace files: git's own data and what package managers and Nx keep. */
const NOT_WORKSPACE = new Set(['.git', 'node_modules', '.nx']);

/** Positive globs covering every entry of `dir` (relative), descending only where an exclusion lies inside. */
function coveringGlobs(workspaceRoot: string, dir: string, excludes: string[], excluded: RegExp[]): string[] {
  const globs: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir ? `${workspaceRoot}/${dir}` : workspaceRoot, { withFileTypes: true });
  } catch {
    return globs;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (NOT_WORKSPACE.has(path)) continue;
    if (!entry.isDirectory()) {
      if (!matchesAny(path, excluded)) globs.push(`{workspaceRoot}/${path}`);
    } else if (path === HOSTS_DIR) {
      globs.push(`{workspaceRoot}/${HOSTS_DIR}/*`, `{workspaceRoot}/${HOSTS_DIR}/*/${HOST_FILE}`);
      // A folder of hosts/ that is no host (shared Nix such as hosts/common) is every host's input.
      globs.push(...nonHostFolders(workspaceRoot).map((dir) => `{workspaceRoot}/${HOSTS_DIR}/${dir}/**/*`));
    } else if (excludes.includes(`${path}/**`)) {
      continue;
    } else if (excludes.some((g) => g.startsWith(`${path}/`))) {
      globs.push(...coveringGlobs(workspaceRoot, path, excludes, excluded));
    } else {
      globs.push(`{workspaceRoot}/${path}/**/*`);
    }
  }
  return globs;
}

/** Folders of hosts/ without a host.json. */
function nonHostFolders(workspaceRoot: string): string[] {
  try {
    return readdirSync(`${workspaceRoot}/${HOSTS_DIR}`, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !existsSync(`${workspaceRoot}/${HOSTS_DIR}/${e.name}/${HOST_FILE}`))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** Host folders, named one by one: only where hosts/ also holds shared folders, which `hosts/*` would hide. */
function hostFolders(workspaceRoot: string): string[] {
  return readdirSync(`${workspaceRoot}/${HOSTS_DIR}`)
    .filter((name) => existsSync(`${workspaceRoot}/${HOSTS_DIR}/${name}/${HOST_FILE}`))
    .sort();
}

/** Every host's shared inputs; `excludes` are more workspace-relative globs to leave out. */
export function sharedHostInputs(workspaceRoot: string, excludes: string[] = []): string[] {
  let defaults = DEFAULT_INPUT_EXCLUDES;
  if (nonHostFolders(workspaceRoot).length > 0) {
    const perHost = hostFolders(workspaceRoot).flatMap((h) => [`${HOSTS_DIR}/${h}/*.nix`, `${HOSTS_DIR}/${h}/*/**`]);
    defaults = DEFAULT_INPUT_EXCLUDES.flatMap((g) => (OTHER_HOSTS_EXCLUDES.includes(g) ? (g === OTHER_HOSTS_EXCLUDES[0] ? perHost : []) : [g]));
  }
  const all = [...defaults, ...excludes];
  return [...coveringGlobs(workspaceRoot, '', all, all.map(globToRegExp)), ...all.map((glob) => `!{workspaceRoot}/${glob}`)];
}
