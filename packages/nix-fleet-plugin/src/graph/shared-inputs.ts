// The inputs every host's build shares: every file the flake can read, except what is proven
// unreachable.
//
// The flake sees every tracked file (force-added ignored ones too), so any of them may change a
// system. A missed input is a stale build, an extra one only an evaluation, so a file is left out
// only when it matches DEFAULT_INPUT_EXCLUDES (or a workspace's excludeInputs) AND no `.nix`
// file of the fleet can reach it (nix-reach.ts); when the scan is unsure, nothing is left out.
// Tracked files that .gitignore matches are not in Nx's file map at all: a runtime input hashes
// them (tracked-files.ts).
//
// Nx's hasher applies `!` exclusions, but `nx affected` reads only the positive globs, so a
// catch-all `{workspaceRoot}/**/*` would mark every host affected by any change. The positive
// globs are therefore one per top-level entry of the workspace (all of it, however deep), with
// excluded folders left out; the exclusions follow for the hasher.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { HOSTS_DIR, HOST_FILE } from '../constants';
import { Minimatch } from 'minimatch';
import { isReached, nixReach, type NixReach } from './nix-reach';
import { IGNORED_TRACKED_INPUT, NOT_WORKSPACE, trackedFiles, type TrackedFiles } from '../git/tracked-files';

/** A workspace-relative input glob as Nx reads it (`*`, `**`, `?`, `{a,b}`; dot files match too). */
export function inputGlob(glob: string): (path: string) => boolean {
  const m = new Minimatch(glob, { dot: true });
  return (path) => m.match(path);
}
const matchesAny = (path: string, globs: ((path: string) => boolean)[]) => globs.some((matches) => matches(path));

/** Other hosts' own Nix and sub-folders (the host's own folder is its {projectRoot} input). */
const OTHER_HOSTS_EXCLUDES = [`${HOSTS_DIR}/*/*.nix`, `${HOSTS_DIR}/*/*/**`];

/** Candidates for leaving out: each stays out only while no `.nix` file can reach it. */
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

export type SharedInput = string | { runtime: string };

/** Positive globs covering every entry of `dir` (relative), descending only where an exclusion lies inside. */
function coveringGlobs(workspaceRoot: string, dir: string, excludes: string[], excluded: ((path: string) => boolean)[], allHosts: boolean): string[] {
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
    } else if (path === HOSTS_DIR && allHosts) {
      globs.push(`{workspaceRoot}/${HOSTS_DIR}/**/*`);
    } else if (path === HOSTS_DIR) {
      globs.push(`{workspaceRoot}/${HOSTS_DIR}/*`, `{workspaceRoot}/${HOSTS_DIR}/*/${HOST_FILE}`);
      // A folder of hosts/ that is no host (shared Nix such as hosts/common) is every host's input.
      globs.push(...nonHostFolders(workspaceRoot).map((dir) => `{workspaceRoot}/${HOSTS_DIR}/${dir}/**/*`));
    } else if (excludes.includes(`${path}/**`)) {
      continue;
    } else if (excludes.some((g) => g.startsWith(`${path}/`))) {
      globs.push(...coveringGlobs(workspaceRoot, path, excludes, excluded, allHosts));
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

/** A file name Nx's globs and ours read literally: anything else is never left out by name. */
const PLAIN_NAME = /^[A-Za-z0-9._@+\/ -]+$/;

/**
 * The exclusions that hold: a glob none of whose tracked files is reached stays whole; one
 * that matches reached files is narrowed to its unreached files, named one by one.
 */
export function provenExclusions(candidates: string[], tracked: TrackedFiles, reach: NixReach): string[] {
  const out: string[] = [];
  for (const glob of candidates) {
    const matches = tracked.files.filter(inputGlob(glob));
    if (!matches.some((f) => isReached(reach, f))) out.push(glob);
    else out.push(...matches.filter((f) => !isReached(reach, f) && PLAIN_NAME.test(f) && !out.includes(f)));
  }
  return out;
}

/** What the Nix code of the flake in `flakeDir` (workspace-relative) reaches. */
export function workspaceReach(workspaceRoot: string, tracked: TrackedFiles, flakeDir = '.'): NixReach {
  const read = (file: string) => {
    try {
      return readFileSync(join(workspaceRoot, file), 'utf-8');
    } catch {
      return undefined;
    }
  };
  const isDir = (path: string) => {
    try {
      return statSync(join(workspaceRoot, path)).isDirectory();
    } catch {
      return false;
    }
  };
  const entry = posix.normalize(posix.join(flakeDir, 'flake.nix'));
  // A flake elsewhere (a URL, a path out of the workspace, which no tracked file is): every .nix
  // file counts as a start.
  const inside = !/^[a-z+]+:/.test(flakeDir) && tracked.files.includes(entry);
  return nixReach({ files: tracked.files, symlinks: tracked.symlinks, read, isDir }, inside ? [entry] : undefined);
}

/** Every host's shared inputs; `excludes` are more workspace-relative globs to leave out, if unreachable. */
export function sharedHostInputs(workspaceRoot: string, excludes: string[] = [], tracked: TrackedFiles = trackedFiles(workspaceRoot), flakeDir = '.'): SharedInput[] {
  let defaults = DEFAULT_INPUT_EXCLUDES;
  if (nonHostFolders(workspaceRoot).length > 0) {
    const perHost = hostFolders(workspaceRoot).flatMap((h) => [`${HOSTS_DIR}/${h}/*.nix`, `${HOSTS_DIR}/${h}/*/**`]);
    defaults = DEFAULT_INPUT_EXCLUDES.flatMap((g) => (OTHER_HOSTS_EXCLUDES.includes(g) ? (g === OTHER_HOSTS_EXCLUDES[0] ? perHost : []) : [g]));
  }
  const reach = workspaceReach(workspaceRoot, tracked, flakeDir);
  // Unsure: every file is an input but the build output, which no flake of a fleet tracks.
  const all = reach.unsure ? ['dist/**'] : provenExclusions([...defaults, ...excludes], tracked, reach);
  // Another host's file that a .nix file reaches: every host's folder is then named in full.
  const hostGlobs = defaults.filter((g) => g.startsWith(`${HOSTS_DIR}/`)).map(inputGlob);
  const hostReached = tracked.files.some((f) => matchesAny(f, hostGlobs) && isReached(reach, f));
  return [
    ...coveringGlobs(workspaceRoot, '', all, all.map(inputGlob), hostReached),
    ...all.map((glob) => `!{workspaceRoot}/${glob}`),
    ...(tracked.git ? [IGNORED_TRACKED_INPUT] : []),
  ];
}
