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
}

export function nixBuildArgs({ installable, outLink, dryRun, extraArgs = [] }: NixBuildArgs): string[] {
  if (dryRun) return ['build', installable, '--dry-run', ...extraArgs];
  const link = outLink ? ['--out-link', outLink] : ['--no-link'];
  return ['build', installable, ...link, '--json', '--print-build-logs', ...extraArgs];
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
