// Writes fixture fleets: flakes with no inputs whose toplevels are small real derivations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface FixturePackage {
  name: string;
  version: string;
  /** Bytes of deterministic content (zeros). */
  size: number;
}

export interface FixtureHost {
  name: string;
  type?: 'laptop' | 'desktop' | 'server' | 'vm';
  roles?: string[];
  tags?: string[];
  packages?: FixturePackage[];
  /** Extra host.json fields (deployment, budgets). */
  hostJson?: Record<string, unknown>;
  /** Free-form Nix attributes merged into configuration.nix (read by the fixture flake). */
  extraConfig?: string;
}

/** The flake: every hosts/<name>/host.json is a host whose toplevel links its packages. */
export const FIXTURE_FLAKE = `# Fixture fleet: stands in for nixpkgs and NixOS in tests (no inputs, builds offline).
{
  outputs =
    { self }:
    let
      lib = import ./nix/fixture-lib.nix;
      hostNames = builtins.filter (n: builtins.pathExists (./hosts + "/\${n}/host.json")) (
        builtins.attrNames (builtins.readDir ./hosts)
      );
      profiles = import ./packages/profiles/default.nix;
      # What importing nixpkgs costs each evaluation: work every host waits for, done once
      # per Nix process however many hosts it evaluates.
      shared = lib.busyWork (profiles.evalCost or 0);
      mkHost = name: {
        config.system.build.toplevel = builtins.seq shared lib.toplevel {
          inherit name profiles;
          host = builtins.fromJSON (builtins.readFile (./hosts + "/\${name}/host.json"));
          config = import (./hosts + "/\${name}/configuration.nix");
        };
      };
    in
    {
      nixosConfigurations = builtins.listToAttrs (
        map (name: {
          inherit name;
          value = mkHost name;
        }) hostNames
      );
    };
}
`;

/** Packages and toplevels as builtins.derivation with busybox: no nixpkgs needed. */
export const FIXTURE_LIB = `# Fixture derivations: a package is N zero bytes, a toplevel links its packages.
let
  busybox = "/bin/busybox";
  package =
    system: p:
    builtins.derivation {
      inherit system;
      name = "\${p.name}-\${p.version}";
      builder = busybox;
      args = [
        "sh"
        "-c"
        "mkdir -p $out/share && head -c \${toString p.size} /dev/zero > $out/share/\${p.name}.data"
      ];
    };
in
{
  # n * n additions in lists of n: CPU time without holding memory.
  busyWork =
    n:
    let
      row = i: builtins.foldl' builtins.add i (builtins.genList (x: x) n);
    in
    builtins.foldl' (sum: i: sum + row i) 0 (builtins.genList (x: x) n);
  toplevel =
    {
      name,
      host,
      config,
      profiles,
    }:
    let
      rolePackages = builtins.concatMap (r: (profiles.rolePackages or { }).\${r} or [ ]) (host.roles or [ ]);
      pkgs = map (package host.system) ((config.packages or [ ]) ++ (profiles.packages or [ ]) ++ rolePackages);
      switchScript = config.switchScript or profiles.switchScript or "#!/bin/sh\\necho activated $1\\n";
      # systemd units of the system, "name.service" or a drop-in "name.service.d/x.conf" = text.
      units = config.units or { };
      installUnits = builtins.concatStringsSep "" (
        map (
          n:
          "mkdir -p $out/etc/systemd/system/\${builtins.dirOf n} && cat \${
            builtins.toFile (builtins.replaceStrings [ "/" "@" ] [ "-" "-" ] n) units.\${n}
          } > $out/etc/systemd/system/\${n}\n"
        ) (builtins.attrNames units)
      );
    in
    builtins.derivation {
      inherit (host) system;
      name = "nixos-system-\${name}";
      builder = busybox;
      inherit switchScript;
      passAsFile = [ "switchScript" ];
      args = [
        "sh"
        "-c"
        ''
          mkdir -p $out/bin $out/sw
          for p in \${toString pkgs}; do ln -s $p $out/sw/; done
          cat $switchScriptPath > $out/bin/switch-to-configuration
          chmod +x $out/bin/switch-to-configuration
          echo \${name} > $out/hostname
          \${installUnits}
        ''
      ];
    };
}
`;

export interface FixtureProfileExtras {
  /** Packages only hosts with this role in host.json get. */
  rolePackages?: Record<string, FixturePackage[]>;
  /** n * n additions once per Nix process: stands in for importing nixpkgs (4500 is about 2 s). */
  evalCost?: number;
}

export function fixtureProfiles(packages: FixturePackage[] = [{ name: 'base-tools', version: '1.0', size: 4096 }], extras: FixtureProfileExtras = {}): string {
  const roles = Object.entries(extras.rolePackages ?? {}).map(([role, pkgs]) => `    ${role} = ${nixList(pkgs)};\n`).join('');
  return (
    `# Fixture profile library: packages every host gets.\n{\n  packages = ${nixList(packages)};\n` +
    (roles ? `  rolePackages = {\n${roles}  };\n` : '') +
    (extras.evalCost ? `  evalCost = ${Math.floor(extras.evalCost)};\n` : '') +
    '}\n'
  );
}

export function fixtureConfiguration(host: FixtureHost): string {
  const packages = host.packages ?? [{ name: `${host.name}-app`, version: '1.0', size: 65536 }];
  return `# Fixture host ${host.name}.\n{\n  packages = ${nixList(packages)};\n${host.extraConfig ?? ''}}\n`;
}

export function fixtureHostJson(host: FixtureHost): Record<string, unknown> {
  return {
    type: host.type ?? 'server',
    system: 'x86_64-linux',
    ...(host.roles ? { roles: host.roles } : {}),
    ...(host.tags ? { deployment: { tags: host.tags } } : {}),
    ...host.hostJson,
  };
}

function nixList(packages: FixturePackage[]): string {
  const items = packages.map((p) => `{ name = "${p.name}"; version = "${p.version}"; size = ${p.size}; }`);
  return `[\n    ${items.join('\n    ')}\n  ]`;
}

/** Writes a file under root, creating its folders. */
export function writeWorkspaceFile(root: string, file: string, content: string): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** Writes the flake, its library, the profiles and every host under root. */
export function writeFixtureFleet(root: string, hosts: FixtureHost[], profilePackages?: FixturePackage[], extras?: FixtureProfileExtras): void {
  writeWorkspaceFile(root, 'flake.nix', FIXTURE_FLAKE);
  writeWorkspaceFile(root, 'nix/fixture-lib.nix', FIXTURE_LIB);
  writeWorkspaceFile(root, 'packages/profiles/default.nix', fixtureProfiles(profilePackages, extras));
  for (const host of hosts) writeFixtureHost(root, host);
}

export function writeFixtureHost(root: string, host: FixtureHost): void {
  writeWorkspaceFile(root, `hosts/${host.name}/host.json`, JSON.stringify(fixtureHostJson(host), null, 2) + '\n');
  writeWorkspaceFile(root, `hosts/${host.name}/configuration.nix`, fixtureConfiguration(host));
}
