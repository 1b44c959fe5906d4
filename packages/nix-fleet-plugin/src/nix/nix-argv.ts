// Pure builders of nix argument arrays; unit-tested as exact arrays.
import { checkedHostName } from '../constants';

/** The installable of a host's system: <flake>#nixosConfigurations.<host>.config.system.build.toplevel */
export function toplevelInstallable(flakeRef: string, host: string): string {
  return `${flakeRef}#nixosConfigurations.${host}.config.system.build.toplevel`;
}

export interface NixBuildArgs {
  /** One or more installables: flake attributes, store paths or derivations (see drvInstallable). */
  installables: string[];
  outLink?: string;
  dryRun?: boolean;
  extraArgs?: string[];
  /** Nix remote builders, as in nix.conf's `builders` (e.g. "ssh-ng://b1 x86_64-linux - 4"). */
  builders?: string;
  /** Build on this machine ([user@]host): evaluate here, build and keep the result in its store. */
  buildHost?: string;
  /** Machine-readable progress on stderr (`@nix {...}` lines), parsed by the build executor. */
  logFormat?: 'internal-json';
}

export function nixBuildArgs({ installables, outLink, dryRun, extraArgs = [], builders, buildHost, logFormat }: NixBuildArgs): string[] {
  if (installables.length === 0) throw new Error('nix build needs at least one installable');
  // A remote store cannot hold this machine's out-link (a GC root), so a build host gets none.
  const link = outLink && !buildHost ? ['--out-link', outLink] : ['--no-link'];
  const base = dryRun ? ['build', ...installables, '--dry-run'] : ['build', ...installables, ...link, '--json', '--print-build-logs'];
  const store = buildHost ? [...nixStoreArgs(buildHost), '--eval-store', 'auto'] : [];
  const remote = builders !== undefined ? ['--builders', builders] : [];
  // Last, so that a -L in extraArgs cannot switch the log format back.
  const log = logFormat ? ['--log-format', logFormat] : [];
  return [...base, ...store, ...remote, ...extraArgs, ...log];
}

/** Makes a nix command work on a build host's store ([user@]host, checked by the caller). */
export function nixStoreArgs(buildHost: string): string[] {
  return ['--store', `ssh-ng://${buildHost}`];
}

/** A GC root at `outLink` for a path already in the store (nix build of a store path builds nothing). */
export function nixGcRootArgs(storePath: string, outLink: string): string[] {
  return ['build', storePath, '--out-link', outLink];
}

/**
 * The installable that builds a derivation's `out` without evaluating anything. Nix 2.13 added
 * `drv^out`; before it a bare .drv path meant its outputs, and since 2.15 it means the file.
 */
export function drvInstallable(drvPath: string, nixVersion: string): string {
  const [major, minor] = (nixVersion.match(/(\d+)\.(\d+)/)?.slice(1) ?? ['0', '0']).map(Number);
  return major > 2 || (major === 2 && minor >= 13) ? `${drvPath}^out` : drvPath;
}

/**
 * One evaluation of several hosts' toplevels: drvPath and outPath per host, as JSON. The host
 * names are checked RFC 1123 labels, so they are safe as Nix strings; the keys avoid
 * `outPath`, which would make Nix print the set as a string.
 */
export function nixEvalToplevelsArgs(flakeRef: string, hosts: string[]): string[] {
  const wanted = hosts.map((h) => `"${checkedHostName(h)}"`).join(' ');
  const apply =
    `configs: builtins.listToAttrs (map (name: { inherit name; value = let t = configs.\${name}.config.system.build.toplevel; ` +
    `in { drv = t.drvPath; out = t.outPath; }; }) [ ${wanted} ])`;
  return ['eval', '--json', `${flakeRef}#nixosConfigurations`, '--apply', apply];
}

export interface Toplevel {
  drvPath: string;
  outPath: string;
}

/** Reads nixEvalToplevelsArgs' output; every host asked for must be there. */
export function parseEvalToplevels(stdout: string, hosts: string[]): Record<string, Toplevel> {
  const parsed = JSON.parse(stdout) as Record<string, { drv?: string; out?: string }>;
  const result: Record<string, Toplevel> = {};
  for (const host of hosts) {
    const t = parsed[host];
    if (!t?.drv || !t.out || !isStorePath(t.drv) || !isStorePath(t.out)) {
      throw new Error(`nix eval gave no toplevel for "${host}": ${stdout.slice(0, 200)}`);
    }
    result[host] = { drvPath: t.drv, outPath: t.out };
  }
  return result;
}

/** An absolute path directly below /nix/store, with a Nix store hash. */
export function isStorePath(path: unknown): path is string {
  return typeof path === 'string' && /^\/nix\/store\/[0-9a-df-np-sv-z]{32}-[A-Za-z0-9+\-._?=]+$/.test(path);
}

/** Pushes a built closure to a binary cache or another store (file://, s3://, ssh-ng://, ...). */
export function nixCopyToArgs(storeUrl: string, storePath: string, logFormat?: 'internal-json'): string[] {
  return ['copy', '--to', storeUrl, storePath, ...(logFormat ? ['--log-format', logFormat] : [])];
}

/** Signs a closure in the local store so caches and targets can trust it. */
export function nixStoreSignArgs(keyFile: string, storePath: string): string[] {
  return ['store', 'sign', '--key-file', keyFile, '--recursive', storePath];
}

export function nixPathInfoClosureArgs(storePath: string): string[] {
  return ['path-info', '--recursive', '--closure-size', '--json', storePath];
}

/**
 * `nix build --json` prints [{ drvPath, outputs: { out } }], one per installable but not in
 * their order (Nix 2.8): match results by drvPath, never by position.
 */
export function parseNixBuildResults(stdout: string): Toplevel[] {
  const parsed = JSON.parse(stdout) as Array<{ drvPath?: string; outputs?: Record<string, string> }>;
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((p) => !p?.drvPath || !p.outputs?.out)) {
    throw new Error(`nix build --json printed no drvPath and out output: ${stdout.slice(0, 200)}`);
  }
  return parsed.map((p) => ({ drvPath: p.drvPath!, outPath: p.outputs!.out }));
}

/** The one result of a one-installable `nix build --json`. */
export function parseNixBuildJson(stdout: string): Toplevel {
  return parseNixBuildResults(stdout)[0];
}
