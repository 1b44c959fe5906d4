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
import { readdirSync } from 'node:fs';
import { HOSTS_DIR, HOST_FILE } from '../constants';
import { globToRegExp, matchesAny } from './glob';

export const DEFAULT_INPUT_EXCLUDES = [
  // Build output, including other hosts' build records.
  'dist/**',
  // Prose.
  'docs/**',
  '**/*.md',
  // Other hosts' own Nix and sub-folders (the host's own folder is its {projectRoot} input).
  // Their host.json stays an input: the flake hands every host the whole inventory.
  `${HOSTS_DIR}/*/*.nix`,
  `${HOSTS_DIR}/*/*/**`,
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

/** Every host's shared inputs; `excludes` are more workspace-relative globs to leave out. */
export function sharedHostInputs(workspaceRoot: string, excludes: string[] = []): string[] {
  const all = [...DEFAULT_INPUT_EXCLUDES, ...excludes];
  return [...coveringGlobs(workspaceRoot, '', all, all.map(globToRegExp)), ...all.map((glob) => `!{workspaceRoot}/${glob}`)];
}
