// host.json "nixpkgs": "stable" builds the host's whole system from the flake's nixpkgs-stable input,
// with the matching Home Manager. Real nix evaluates this repository's own flake.nix and
// packages/profiles/lib (copied unchanged into a git repo); only the inputs are fixture flakes:
// each "nixpkgs" has a lib.nixosSystem that makes a toplevel named after its branch and records
// which Home Manager module it was given (nixpkgs itself cannot be fetched here).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/workspace';

const fixtureSystem = (branch: string) => `{
  lib.nixosSystem = args: {
    config.system.build.toplevel = derivation {
      name = "${branch}-system";
      system = "x86_64-linux";
      builder = "/bin/busybox";
      args = [ "sh" "-c" "echo ${branch} > $out" ];
      homeManager = builtins.concatStringsSep "," (
        map (m: m.fixtureHomeManager) (builtins.filter (m: builtins.isAttrs m && m ? fixtureHomeManager) args.modules)
      );
    };
  };
}`;

const INPUTS: Record<string, string> = {
  nixpkgs: fixtureSystem('unstable'),
  'nixpkgs-stable': fixtureSystem('stable'),
  'home-manager': '{ nixosModules.home-manager = { fixtureHomeManager = "unstable"; }; }',
  'home-manager-stable': '{ nixosModules.home-manager = { fixtureHomeManager = "stable"; }; }',
  'sops-nix': '{ nixosModules.sops = { }; }',
};

describe('host.json "nixpkgs" in the real flake.nix', () => {
  let dir: string;
  let fleet: string;
  const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf-8' });
  const host = (name: string, json: Record<string, unknown>) => {
    mkdirSync(join(fleet, 'hosts', name), { recursive: true });
    writeFileSync(join(fleet, 'hosts', name, 'host.json'), JSON.stringify({ system: 'x86_64-linux', ...json }));
    writeFileSync(join(fleet, 'hosts', name, 'configuration.nix'), '{ ... }: { }\n');
  };
  const overrides = () => Object.keys(INPUTS).flatMap((input) => ['--override-input', input, `path:${join(dir, input)}`]);
  const nix = (args: string[]) => spawnSync('nix', [...args, '--no-write-lock-file', ...overrides()], { cwd: fleet, encoding: 'utf-8' });
  const toplevel = (name: string) => {
    const r = nix(['eval', '--json', `.#nixosConfigurations.${name}.config.system.build.toplevel`, '--apply', 't: { inherit (t) name homeManager drvPath; }']);
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { name: string; homeManager: string; drvPath: string };
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nixpkgs-branch-'));
    for (const [input, outputs] of Object.entries(INPUTS)) {
      mkdirSync(join(dir, input));
      writeFileSync(join(dir, input, 'flake.nix'), `{\n  outputs = _: ${outputs};\n}\n`);
    }
    fleet = join(dir, 'fleet');
    mkdirSync(join(fleet, 'packages'), { recursive: true });
    cpSync(join(REPO_ROOT, 'flake.nix'), join(fleet, 'flake.nix'));
    cpSync(join(REPO_ROOT, 'packages/profiles'), join(fleet, 'packages/profiles'), { recursive: true });
    host('web1', { type: 'server', nixpkgs: 'stable' });
    host('ares', { type: 'laptop' });
    host('desk', { type: 'desktop', nixpkgs: 'unstable' });
    git(fleet, ['init', '-q']);
    git(fleet, ['add', '.']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a "stable" host from nixpkgs-stable with the release Home Manager, the others from nixpkgs', () => {
    expect(toplevel('web1')).toMatchObject({ name: 'stable-system', homeManager: 'stable' });
    expect(toplevel('ares')).toMatchObject({ name: 'unstable-system', homeManager: 'unstable' });
    expect(toplevel('desk')).toMatchObject({ name: 'unstable-system', homeManager: 'unstable' });
  });

  it('the stable toplevel is a real derivation that builds from the stable input', () => {
    const r = nix(['build', '--no-link', '--json', '.#nixosConfigurations.web1.config.system.build.toplevel']);
    expect(r.stderr).not.toMatch(/error/);
    const out = JSON.parse(r.stdout)[0].outputs.out as string;
    expect(out).toMatch(/-stable-system$/);
    expect(execFileSync('cat', [out], { encoding: 'utf-8' })).toBe('stable\n');
  });

  it('refuses an unknown branch by the file and the allowed values', () => {
    host('odd', { type: 'vm', nixpkgs: 'nixos-24.05' });
    git(fleet, ['add', '.']);
    const r = nix(['eval', '--raw', '.#nixosConfigurations.odd.config.system.build.toplevel.name']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('hosts/odd/host.json: "nixpkgs" is "nixos-24.05"; use "unstable" or "stable".');
  });
});

describe('lib/mk-fleet.nix without a stable input', () => {
  it('refuses a "stable" host by name instead of building it from unstable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mk-fleet-'));
    try {
      mkdirSync(join(dir, 'hosts', 'web1'), { recursive: true });
      writeFileSync(join(dir, 'hosts', 'web1', 'host.json'), '{"type":"server","system":"x86_64-linux","nixpkgs":"stable"}');
      const expr = `let fleet = import ${join(REPO_ROOT, 'packages/profiles/lib/mk-fleet.nix')} {
        nixpkgs.lib.nixosSystem = _: { config.system.build.toplevel = "unstable"; };
        hostsDir = ${join(dir, 'hosts')};
      }; in fleet.nixosConfigurations.web1.config.system.build.toplevel`;
      const r = spawnSync('nix-instantiate', ['--eval', '-E', expr], { encoding: 'utf-8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('hosts/web1/host.json asks for "nixpkgs": "stable", but the flake passes no nixpkgs-stable to mkFleet.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
