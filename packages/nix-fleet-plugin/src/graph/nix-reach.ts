// Which workspace files the fleet's Nix code can reach, by a scan of its path literals.
//
// The rule (README "How the build target works", docs/Scaling-Builds.md): starting at the
// flake's flake.nix, a path literal reaches the file it names, or everything below the folder it
// names (whose .nix files are scanned in turn); `..` chains are resolved, symlinks reach their
// targets, a file that is imported is scanned too. A path extended with `+ "/${name}"`
// stays below what its literal reached. Anything the scan cannot follow makes it unsure, and an
// unsure scan leaves nothing out: an interpolation that is more than a name, `..` in an added
// string, an absolute, `~` or `<...>` path, the flake's own source (`self` other than
// `self.<output>`), and builtins that turn strings into paths or fetch (toPath, getFlake, ...).
import { posix } from 'node:path';
import { tokenizeNix, type NixToken } from './nix-tokens';

export interface NixReach {
  /** Why the scan could not prove what is unreachable; then every file is an input. */
  unsure?: string;
  /** Workspace-relative files and folders the Nix code reaches ('' is the whole workspace). */
  roots: string[];
}

/**
 * Builtins and attributes that reach files by computed strings, or the flake's source as a whole
 * (`__curPos` and `unsafeGetAttrPos` give a file's own location in it); each builtin is also a
 * global `__<name>`.
 */
const UNSURE_NAMES = new Set(['toPath', 'getFlake', 'fetchGit', 'fetchTree', 'fetchTarball', 'fetchClosure', 'storePath', 'findFile', 'nixPath', 'outPath', 'sourceInfo', 'curPos', 'unsafeGetAttrPos']);
/** Attributes of `self` that are the source or its revision, not an output. */
const SELF_SOURCE = new Set(['outPath', 'sourceInfo', 'rev', 'shortRev', 'dirtyRev', 'dirtyShortRev', 'lastModified', 'lastModifiedDate', 'narHash', 'submodules']);
const IMPORTERS = new Set(['import', 'scopedImport', 'callPackage']);

/** `${name}` or `${a.b.c}`: a value, not code that builds a string. */
const isNameInterp = (tokens: NixToken[]) =>
  tokens.length > 0 && tokens.every((t, i) => (i % 2 === 0 ? t.kind === 'ident' : t.kind === 'op' && t.text === '.')) && tokens.length % 2 === 1;

/** A string added to a path: it may only go deeper, never up or sideways. */
// Nix tidies a path after every +, so a suffix stays inside the folder only when it starts with "/"
// (./dir + "x" is the sibling dirx) and no segment is . or .. (./dir + "/." + "./x" is dir./x).
// After an identifier (dir + "${n}") the left side may be no path at all, and a string that starts
// with ${...} is kept as before, sure.
function confinedSuffix(t: NixToken | undefined, afterPath = true): boolean {
  if (t?.kind !== 'string' || !(t.text.startsWith('/') || (!afterPath && t.text.startsWith('${}')))) return false;
  return t.interps.every(isNameInterp) && !t.text.split('/').some((seg) => seg === '..' || seg === '.' || seg.includes('${}..') || seg.includes('..${}'));
}

export interface ScanResult {
  /** Relative paths as written, resolved against the file's folder by the caller. */
  paths: Array<{ path: string; imported: boolean }>;
  unsure?: string;
}

/** The paths one Nix file names, or why it cannot be followed. */
export function scanNixText(text: string): ScanResult {
  const paths: ScanResult['paths'] = [];
  let unsure: string | undefined;
  const flag = (why: string) => (unsure ??= why);
  const walk = (tokens: NixToken[]) => {
    tokens.forEach((t, i) => {
      const prev = tokens[i - 1];
      const next = tokens[i + 1];
      if (t.kind === 'string') {
        t.interps.forEach(walk);
        if (prev?.kind === 'op' && prev.text === '+' && (t.text.startsWith('/') || t.text.startsWith('${}')) && !confinedSuffix(t, false)) flag(`a path extended with a computed string "${t.text}"`);
      } else if (t.kind === 'path') {
        if (t.text.startsWith('/')) return flag(`an absolute path ${t.text}`);
        const staticPart = t.interpolated ? t.text.slice(0, t.text.indexOf('${}')) : t.text;
        t.interps.forEach(walk);
        // Like an added string: names only, and no way up after the first ${}.
        if (t.interpolated && (!t.interps.every(isNameInterp) || t.text.slice(staticPart.length).split('/').some((seg) => seg === '..' || seg === '.'))) {
          return flag(`a computed path ${t.text}`);
        }
        // A path literal has a "/" before any ${...}: the folder part is never empty.
        paths.push({ path: t.interpolated ? staticPart.replace(/[^/]*$/, '') : t.text, imported: IMPORTERS.has(prev?.text ?? '') && !t.interpolated });
        if (next?.kind === 'op' && next.text === '+') {
          const after = tokens[i + 3];
          // One "/<name>" only: ./dir + "/" + "x" is dirx.
          if (!confinedSuffix(tokens[i + 2]) || (after?.kind === 'op' && after.text === '+')) flag(`${t.text} extended with something other than "/<name>"`);
        }
      } else if (t.kind === 'hpath' || t.kind === 'spath') {
        flag(`the path ${t.text} outside the workspace`);
      } else if (t.kind === 'ident') {
        if (UNSURE_NAMES.has(t.text.replace(/^__/, ''))) flag(`${t.text}, which reaches files by computed names`);
        if (t.text === 'self') checkSelf(prev, next, tokens[i + 2], flag);
        if (t.text === 'inputs') checkInputs(tokens, i, flag);
      }
    });
  };
  walk(tokenizeNix(text).tokens);
  return { paths, ...(unsure ? { unsure } : {}) };
}

/** `self` as a formal ({ self, ... }) or `self.<output>` is fine; the source itself is not. */
function checkSelf(prev: NixToken | undefined, next: NixToken | undefined, after: NixToken | undefined, flag: (why: string) => void): void {
  const formal = prev?.kind === 'op' && (prev.text === '{' || prev.text === ',') && next?.kind === 'op' && (next.text === ',' || next.text === '}' || next.text === '?');
  const output = next?.kind === 'op' && next.text === '.' && after?.kind === 'ident' && !SELF_SOURCE.has(after.text);
  if (prev?.kind === 'op' && prev.text === '.') return flag('inputs.self, the flake source as a whole');
  if (!formal && !output) flag(`self${next?.text === '.' ? `.${after?.text}` : ''}, the flake source as a whole`);
}

/**
 * `inputs` (the flake's inputs, handed to modules as a special argument) holds `self` too, which
 * `inputs."self"`, `inputs.${...}` or `attrValues inputs` reach without naming it: only
 * `inputs.<name>`, binding it, and handing it on whole (`inherit inputs`) are followed.
 */
function checkInputs(tokens: NixToken[], i: number, flag: (why: string) => void): void {
  const [prev, next, after] = [tokens[i - 1], tokens[i + 1], tokens[i + 2]];
  const is = (t: NixToken | undefined, ...texts: string[]) => t !== undefined && (t.kind === 'op' || t.kind === 'ident') && texts.includes(t.text);
  if (is(next, '.')) {
    if (after?.kind !== 'ident') flag('inputs with a computed attribute, which may be inputs.self');
    return;
  }
  const named = is(next, '=', ':', '@') || is(prev, '@', 'inherit') || (is(prev, '{', ',') && is(next, ',', '}', '?'));
  const inheritFrom = is(prev, '(') && is(next, ')') && is(tokens[i - 2], 'inherit');
  if (!named && !inheritFrom) flag('inputs used whole, which holds inputs.self, the flake source');
}

export interface ReachSource {
  /** Tracked files (workspace-relative); symlinks map to their link text. */
  files: string[];
  symlinks: Map<string, string>;
  read(file: string): string | undefined;
  isDir(path: string): boolean;
}

/** Resolves `p` written in `file` to a workspace path, or undefined when it leaves the workspace. */
function resolveIn(file: string, p: string): string | undefined {
  const joined = posix.normalize(posix.join(posix.dirname(file), p));
  const clean = joined.replace(/\/$/, '');
  if (clean === '..' || clean.startsWith('../')) return undefined;
  return clean === '.' ? '' : clean;
}

/**
 * Every root the fleet's Nix code reaches, from `entries` (the flake's flake.nix; every `.nix`
 * file when there is none): the files they name, and the `.nix` files below each folder they
 * name (a folder may be listed and imported whole), scanned in turn; imported non-.nix files are
 * scanned too, and symlinks reach their targets.
 */
export function nixReach(src: ReachSource, entries?: string[]): NixReach {
  const roots = new Set<string>();
  const scanned = new Set<string>();
  const nixFiles = src.files.filter((f) => f.endsWith('.nix') && !src.symlinks.has(f));
  const queue = entries && entries.length > 0 ? [...entries] : [...nixFiles];
  for (const [link, target] of src.symlinks) {
    const resolved = target.startsWith('/') ? undefined : resolveIn(link, target);
    if (resolved !== undefined) roots.add(resolved);
  }
  const below = (root: string) => nixFiles.filter((f) => root === '' || f.startsWith(`${root}/`));
  for (const root of roots) queue.push(...below(root));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (scanned.has(file)) continue;
    scanned.add(file);
    const text = src.read(file);
    if (text === undefined) continue;
    const result = scanNixText(text);
    if (result.unsure) return { unsure: `${file}: ${result.unsure}`, roots: [''] };
    for (const { path, imported } of result.paths) {
      const resolved = resolveIn(file, path);
      if (resolved === undefined) return { unsure: `${file}: ${path} leaves the workspace`, roots: [''] };
      roots.add(resolved);
      if (src.isDir(resolved)) queue.push(...below(resolved));
      else if (resolved.endsWith('.nix') || imported) queue.push(resolved);
    }
  }
  return { roots: [...roots].sort() };
}

/** Whether `file` is a reached root or below one. */
export function isReached(reach: NixReach, file: string): boolean {
  return reach.roots.some((r) => r === '' || file === r || file.startsWith(`${r}/`));
}
