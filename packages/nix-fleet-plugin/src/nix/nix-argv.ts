// Pure builders of nix argument arrays; unit-tested as exact arrays.

/** The installable of a host's system: <flake>#nixosConfigurations.<host>.config.system.build.toplevel */
export function toplevelInstallable(flakeRef: string, host: string): string {
  return `${flakeRef}#nixosConfigurations.${host}.config.system.build.toplevel`;
}

export interface NixBuildArgs {
  installable: string;
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

export function nixBuildArgs({ installable, outLink, dryRun, extraArgs = [], builders, buildHost, logFormat }: NixBuildArgs): string[] {
  // A remote store cannot hold this machine's out-link (a GC root), so a build host gets none.
  const link = outLink && !buildHost ? ['--out-link', outLink] : ['--no-link'];
  const base = dryRun ? ['build', installable, '--dry-run'] : ['build', installable, ...link, '--json', '--print-build-logs'];
  const store = buildHost ? ['--store', `ssh-ng://${buildHost}`, '--eval-store', 'auto'] : [];
  const remote = builders !== undefined ? ['--builders', builders] : [];
  // Last, so that a -L in extraArgs cannot switch the log format back.
  const log = logFormat ? ['--log-format', logFormat] : [];
  return [...base, ...store, ...remote, ...extraArgs, ...log];
}

/** Pushes a built closure to a binary cache or another store (file://, s3://, ssh-ng://, ...). */
export function nixCopyToArgs(storeUrl: string, storePath: string, logFormat?: 'internal-json'): string[] {
  return ['copy', '--to', storeUrl, storePath, ...(logFormat ? ['--log-format', logFormat] : [])];
}

/** Signs a closure in the local store so caches and targets can trust it. */
export function nixStoreSignArgs(keyFile: string, storePath: string): string[] {
  return ['store', 'sign', '--key-file', keyFile, '--recursive', storePath];
}

export function nixEvalDrvPathArgs(installable: string): string[] {
  return ['eval', '--raw', `${installable}.drvPath`];
}

export function nixPathInfoClosureArgs(storePath: string): string[] {
  return ['path-info', '--recursive', '--closure-size', '--json', storePath];
}

/** `nix build --json` prints [{ drvPath, outputs: { out } }]; take the first toplevel. */
export function parseNixBuildJson(stdout: string): { drvPath: string; outPath: string } {
  const parsed = JSON.parse(stdout) as Array<{ drvPath: string; outputs: Record<string, string> }>;
  const first = parsed[0];
  if (!first?.drvPath || !first.outputs?.out) {
    throw new Error(`nix build --json printed no drvPath and out output: ${stdout.slice(0, 200)}`);
  }
  return { drvPath: first.drvPath, outPath: first.outputs.out };
}
