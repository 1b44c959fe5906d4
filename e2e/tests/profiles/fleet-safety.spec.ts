// The example fleet is safe by default: no deploy target can lose sshd, no server opens a non-web port
// to everyone. Real nix-instantiate (--parse of every host's files and the profile library, --eval of
// the library's builtins-only helpers); each check is also shown to catch a broken copy of the fleet.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assignments, firewallPlan, fleetProblems, inventory, parseNix } from '../../support/fleet-safety';
import { REPO_ROOT } from '../../support/workspace';

describe('the example fleet', () => {
  it('has a deploy target for every host.json with a targetHost, and each is the host the library sees', () => {
    const { hosts } = inventory(REPO_ROOT);
    expect(Object.keys(hosts).sort()).toEqual(
      ['ares', 'database-server', 'docker-server', 'monitoring-server', 'web-server', 'workstation'],
    );
    for (const [name, host] of Object.entries(hosts)) {
      const json = JSON.parse(readFileSync(join(REPO_ROOT, 'hosts', name, 'host.json'), 'utf-8'));
      expect({ name, deploy: host.deploy }).toEqual({
        name,
        deploy: {
          enable: json.deployment?.targetHost !== undefined,
          user: json.deployment?.targetUser ?? null,
          port: json.deployment?.port ?? 22,
          sshOpenTo: json.type === 'server' ? 'everyone' : 'fleet',
        },
      });
    }
  });

  it('cannot lose sshd on a deploy target, and no server opens a non-web port to everyone', () => {
    expect(fleetProblems(REPO_ROOT)).toEqual([]);
  });

  it('opens 22, 80 and 443 to everyone and reaches every server as a fleet source (lib/firewall.nix)', () => {
    const plan = firewallPlan(REPO_ROOT, [22, 80, 443], []);
    expect(plan.violations).toEqual([]);
    expect(plan.sources.ipv4).toEqual(
      expect.arrayContaining(['10.0.10.11', '10.0.10.12', '10.0.10.13', '10.0.10.14', '10.0.10.20', '10.0.10.21']),
    );
    expect(plan.sources.everywhere).toEqual([]);
    expect(firewallPlan(REPO_ROOT, [22, 3000, 9100], ['0.0.0.0/0']).violations).toEqual(['TCP 3000', 'TCP 9100']);
  });
});

describe('the fleet checker', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fleet-safety-'));
    for (const dir of ['hosts', 'packages/profiles']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const edit = (file: string, from: string, to: string) => {
    const text = readFileSync(join(root, file), 'utf-8');
    expect(text).toContain(from);
    writeFileSync(join(root, file), text.replace(from, to));
  };
  const role = (name: string, body: string) =>
    writeFileSync(
      join(root, `packages/profiles/server/roles/${name}.nix`),
      `# Test role.\n{ config, lib, ... }:\n{\n  config = lib.mkIf config.profiles.server.enable {\n${body}\n  };\n}\n`,
    );

  it('flattens nested sets and mkIf bodies into attribute paths', () => {
    const file = join(root, 'x.nix');
    writeFileSync(file, '{ lib, ... }: { services = lib.mkIf true { openssh = { enable = lib.mkForce false; }; }; a.b."c-d" = 1; inherit (lib) openFirewall; }');
    // nix-instantiate --parse prints `inherit (lib) x` as `x = (lib).x`, and sorts the names.
    expect(assignments(parseNix(file)).map((a) => `${a.path.join('.')}=${a.value}`)).toEqual([
      'a={ b = { c-d = 1; }; }',
      'a.b={ c-d = 1; }',
      'a.b.c-d=1',
      'openFirewall=(lib).openFirewall',
      'services=((lib).mkIf true { openssh = { enable = ((lib).mkForce false); }; })',
      'services.openssh={ enable = ((lib).mkForce false); }',
      'services.openssh.enable=((lib).mkForce false)',
    ]);
  });

  it.each([
    ['ares (a laptop)', 'hosts/ares/configuration.nix'],
    ['web-server', 'hosts/web-server/configuration.nix'],
  ])('reports a deploy target that turns sshd off: %s', (name, file) => {
    edit(file, '  system.stateVersion', '  services.openssh = { enable = lib.mkForce false; };\n  system.stateVersion');
    const text = readFileSync(join(root, file), 'utf-8');
    if (text.includes('{ ... }:')) edit(file, '{ ... }:', '{ lib, ... }:');
    if (text.includes('{ config, ... }:')) edit(file, '{ config, ... }:', '{ config, lib, ... }:');
    expect(fleetProblems(root)).toEqual([
      expect.stringMatching(new RegExp(`^${file}: services.openssh.enable = \\(\\(lib\\).mkForce false\\) turns sshd off on a deploy target`)),
    ]);
  });

  it('reports a host that overrides profiles.deployTarget, and a library that stops setting it', () => {
    edit('hosts/ares/configuration.nix', '    base.timeZone', '    deployTarget.enable = false;\n    base.timeZone');
    edit('packages/profiles/lib/host-module.nix', 'deployTarget = import ./deploy-target.nix host;', '');
    expect(fleetProblems(root)).toEqual([
      expect.stringMatching(/^packages\/profiles\/lib\/host-module\.nix: does not set profiles\.deployTarget/),
      expect.stringMatching(/^hosts\/ares\/configuration\.nix: profiles\.deployTarget\.enable = false overrides what host\.json says/),
    ]);
  });

  it('does not count a host without targetHost as a deploy target', () => {
    const file = 'hosts/ares/host.json';
    const json = JSON.parse(readFileSync(join(root, file), 'utf-8'));
    delete json.deployment;
    writeFileSync(join(root, file), JSON.stringify(json));
    edit('hosts/ares/configuration.nix', '  system.stateVersion', '  services.openssh.enable = false;\n  system.stateVersion');
    expect(inventory(root).hosts.ares.deploy).toEqual({ enable: false, user: null, port: 22, sshOpenTo: 'fleet' });
    expect(fleetProblems(root)).toEqual([]);
  });

  it('reports a role that opens Grafana to everyone through networking.firewall', () => {
    role('grafana-public', '    networking.firewall.allowedTCPPorts = [ 3000 ];');
    expect(fleetProblems(root)).toEqual([
      expect.stringMatching(/^packages\/profiles\/server\/roles\/grafana-public\.nix: networking\.firewall\.allowedTCPPorts = \[ \(3000\) \] opens ports around/),
    ]);
  });

  it('reports a role that lists a service port as public, through the helper', () => {
    role('grafana-public', '    profiles.fleet.firewall.publicTCPPorts = [ 3000 ];');
    expect(fleetProblems(root)).toEqual(['servers open TCP 3000 to everyone; only 22, 80 and 443 may be.']);
  });

  it.each([
    ['set', '    services.prometheus.exporters.node.openFirewall = true;'],
    ['inherited', '    services.loki = { inherit (config.services.grafana) openFirewall; };'],
  ])("reports a service's own openFirewall (%s)", (_how, body) => {
    role('exporter', body);
    expect(fleetProblems(root)).toEqual([
      expect.stringMatching(/^packages\/profiles\/server\/roles\/exporter\.nix: services\.\S+\.openFirewall = .* lets a service open its port to everyone/),
    ]);
  });

  it('reports a fleet subnet that is the whole Internet', () => {
    edit('hosts/docker-server/configuration.nix', '    base.user.sshKeys', '    fleet.subnets = [ "0.0.0.0/0" ];\n    base.user.sshKeys');
    expect(fleetProblems(root)).toEqual([expect.stringMatching(/^profiles\.fleet\.subnets contains 0\.0\.0\.0\/0/)]);
  });
});
