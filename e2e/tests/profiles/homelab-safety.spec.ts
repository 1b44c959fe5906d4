// A homelab you can leave running: closed by default, observed, backed up. Each case is a reviewer's
// finding with data chosen to break it, run through the profile library's own builtins-only helpers
// with real nix-instantiate on this repo's hosts/ (or a broken copy of them). Modules are not
// evaluated (no nixpkgs here): each case also reads the module to see it uses the helper.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalNix, fleetProblems } from '../../support/fleet-safety';
import {
  dockerPlan,
  dockerVerdict,
  evalFleet,
  fleetSources,
  nixString,
  profileSetting,
  profileText,
  webAnswer,
} from '../../support/homelab-safety';
import { REPO_ROOT } from '../../support/workspace';


let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'homelab-safety-'));
  for (const dir of ['hosts', 'packages/profiles']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const editJson = (file: string, edit: (json: Record<string, any>) => void) => {
  const json = JSON.parse(readFileSync(join(root, file), 'utf-8'));
  edit(json);
  writeFileSync(join(root, file), JSON.stringify(json, null, 2));
};

describe('addresses are parsed strictly (lib/firewall.nix)', () => {
  it.each(['10.0.10.256', '::/0', '10.0.10.1/24', '::1::2', 'fd00::/129', '010.0.10.1', '10.0.10'])(
    'fails on targetHost %s in one host.json, naming that file and field',
    (address) => {
      editJson('hosts/docker-server/host.json', (j) => (j.deployment.targetHost = address));
      const sources = fleetSources(root);
      expect(sources.errors).toEqual([expect.stringMatching(/^hosts\/docker-server\/host\.json: deployment\.targetHost ".*" is neither an IP address/)]);
      expect([...sources.ipv4, ...sources.ipv6]).not.toContain(address);
    },
  );

  it.each(['::/0', '0::/0', '::0/0', '0:0:0:0:0:0:0:0/0', '0.0.0.0/0', '10.0.10.0/0'])('treats %s as everywhere, never as a fleet source', (subnet) => {
    const sources = fleetSources(REPO_ROOT, [subnet]);
    expect(sources.everywhere).toEqual([subnet]);
    expect([...sources.ipv4, ...sources.ipv6]).not.toContain(subnet);
  });

  it('refuses a name or a /33 in subnets instead of dropping it', () => {
    const sources = fleetSources(REPO_ROOT, ['nas.home.arpa', '10.0.10.0/33', 'fd00:10::/64', '10.0.10.0/24']);
    expect(sources.errors).toEqual([
      expect.stringMatching(/^profiles\.fleet\.subnets: "nas\.home\.arpa" is a name; a firewall matches addresses only/),
      expect.stringMatching(/^profiles\.fleet\.subnets: "10\.0\.10\.0\/33" is not an IP address or network/),
    ]);
    expect(sources.ipv6).toEqual(['fd00:10::/64']);
    expect(sources.ipv4).toContain('10.0.10.0/24');
  });

  it('writes rules for the backend NixOS uses, none for firewalld, and servers default to nftables', () => {
    const plan = evalFleet<Record<string, unknown>>(
      REPO_ROOT,
      `builtins.mapAttrs (backend: _: lib.firewall.rulesFor { inherit backend sources; tcp = [ 9100 ]; }) { nftables = 1; iptables = 1; firewalld = 1; }`,
    );
    expect(plan.firewalld).toBeNull();
    expect(plan.nftables).toEqual({ extraCommands: '', extraInputRules: expect.stringContaining('ip saddr 10.0.10.14 tcp dport { 9100 } accept') });
    expect(plan.iptables).toEqual({ extraInputRules: '', extraCommands: expect.stringContaining('-s 10.0.10.14 --dport 9100') });
    expect(profileSetting('fleet-firewall.nix', 'networking', 'firewall', 'extraInputRules')).toMatch(/\(rules\)\.extraInputRules\)$/);
    expect(profileSetting('server/default.nix', 'networking', 'nftables', 'enable')).toMatch(/mkDefault true/);
  });

  it('reports the bad address through the fleet checker too', () => {
    editJson('hosts/web-server/host.json', (j) => (j.deployment.targetHost = '10.0.10.256'));
    expect(fleetProblems(root)).toEqual(expect.arrayContaining([expect.stringMatching(/hosts\/web-server\/host\.json: deployment\.targetHost "10\.0\.10\.256"/)]));
  });
});

describe('ports opened on one interface are not missed (lib/firewall.nix)', () => {
  it('names per-interface ports and trusted interfaces, which the top-level check never sees', () => {
    const named = evalFleet<string[]>(
      REPO_ROOT,
      `lib.firewall.interfaceViolations {
        interfaces = { eth0 = { allowedTCPPorts = [ 443 3000 ]; allowedUDPPorts = [ 53 ]; }; wg0 = { allowedTCPPorts = [ ]; }; };
        trustedInterfaces = [ "lo" "eth1" ];
      }`,
    );
    expect(named).toEqual(['TCP 3000 on eth0', 'UDP 53 on eth0', 'every port on eth1']);
    // The server profile reads the merged interface options (NixOS adds "lo" to trustedInterfaces itself).
    expect(profileSetting('server/default.nix', 'interfaceOpen')).toMatch(/interfaceViolations/);
    expect(profileSetting('server/default.nix', 'interfaceOpen')).toMatch(/interfaces = \(firewall\)\.interfaces; trustedInterfaces = \(firewall\)\.trustedInterfaces;/);
    expect(profileSetting('server/default.nix', 'warnings')).toMatch(/interfaceOpen/);
  });
});

describe('docker-server: a published container port is not public (lib/docker.nix)', () => {
  it('binds a bare -p 8080:80 to 127.0.0.1 and drops forwarded traffic to undeclared ports', () => {
    const { settings, rules } = dockerPlan(REPO_ROOT, {});
    expect(settings.ip).toBe('127.0.0.1');
    expect(dockerVerdict(rules, '203.0.113.9', 8080)).toBe('DROP');
    expect(dockerVerdict(rules, '10.0.10.14', 8080)).toBe('DROP');
    expect(profileSetting('server/roles/docker.nix', 'daemon', 'settings')).toMatch(/daemonSettings/);
  });

  it('lets a fleet port through from fleet sources only, and a public port from anywhere', () => {
    const { rules } = dockerPlan(REPO_ROOT, { fleetTCPPorts: [8080], publicTCPPorts: [8443] });
    expect(dockerVerdict(rules, '10.0.10.14', 8080)).toBe('RETURN');
    expect(dockerVerdict(rules, '203.0.113.9', 8080)).toBe('DROP');
    expect(dockerVerdict(rules, '203.0.113.9', 8443)).toBe('RETURN');
    expect(dockerVerdict(rules, '10.0.10.14', 9000)).toBe('DROP');
    expect(rules[0]).toEqual(['-F', 'DOCKER-USER']);
  });

  it('drops only what goes into a container bridge, not traffic the host routes elsewhere', () => {
    const { rules } = dockerPlan(REPO_ROOT, {});
    // A compose network's bridge is br-<id>.
    expect(dockerVerdict(rules, '203.0.113.9', 8080, 'br-1a2b3c4d5e6f')).toBe('DROP');
    // A VPN client reaching the LAN through this host (wg0 -> eth0) is not Docker's business.
    expect(dockerVerdict(rules, '10.8.0.2', 22, 'eth0')).toBe('none');
    expect(dockerVerdict(rules, '10.8.0.2', 443, 'wg0')).toBe('none');
  });
});

describe('web-server: unknown names and fleet-only sites (lib/web.nix)', () => {
  it.each([
    ['a foreign Host header', 'evil.example', '203.0.113.9', { server: '_unknown-host', status: 444 }],
    ['the bare address', '10.0.10.11', '203.0.113.9', { server: '_unknown-host', status: 444 }],
    ['Grafana from the internet', 'grafana.home.arpa', '203.0.113.9', { server: 'grafana.home.arpa', status: 403 }],
    ['Grafana from a fleet host', 'grafana.home.arpa', '10.0.10.21', { server: 'grafana.home.arpa', status: 200 }],
    ['the public site', 'www.home.arpa', '203.0.113.9', { server: 'www.home.arpa', status: 200 }],
  ])('%s', (_what, host, source, expected) => {
    expect(webAnswer(REPO_ROOT, 'web-server', host, source)).toEqual(expected);
  });

  it('keeps a proxied site fleet-only when it says nothing about access', () => {
    const file = 'hosts/web-server/configuration.nix';
    const text = readFileSync(join(root, file), 'utf-8');
    writeFileSync(join(root, file), text.replace(/\n\s*access = "fleet";/, ''));
    expect(webAnswer(root, 'web-server', 'grafana.home.arpa', '203.0.113.9').status).toBe(403);
    expect(profileSetting('server/roles/web.nix', 'services', 'nginx', 'virtualHosts')).toMatch(/nginxVirtualHosts/);
  });
});

describe('SSH and keys on deploy targets (lib/deploy-target.nix, lib/deploy-keys.nix)', () => {
  it("opens the laptop's and the desktop's SSH to the fleet only, servers' to everyone", () => {
    const open = evalFleet<Record<string, string>>(REPO_ROOT, 'builtins.mapAttrs (_: h: (lib.deployTarget h).sshOpenTo) hosts');
    expect(open).toEqual({
      ares: 'fleet',
      workstation: 'fleet',
      'database-server': 'everyone',
      'docker-server': 'everyone',
      'monitoring-server': 'everyone',
      'web-server': 'everyone',
    });
    expect(profileSetting('deploy-target.nix', 'services', 'openssh', 'openFirewall')).toMatch(/sshOpenTo == "everyone"/);
  });

  const keyProblem = (at: string, name: string) =>
    evalFleet<string | null>(
      at,
      `let p = (declared ${nixString(name)}).profiles; in lib.deployKeys {
        name = ${nixString(name)};
        user = (lib.deployTarget hosts.${nixString(name)}).user;
        keys = p.base.user.sshKeys or [ ];
        allowNoKey = p.deployTarget.allowNoKey or false;
      }`,
    );

  it('fails a deploy target without keys unless the host says so, naming both options', () => {
    expect(keyProblem(REPO_ROOT, 'ares')).toBeNull(); // the example says allowNoKey explicitly
    const file = 'hosts/ares/configuration.nix';
    writeFileSync(join(root, file), readFileSync(join(root, file), 'utf-8').replace(/\n\s*deployTarget\.allowNoKey = true;/, ''));
    expect(keyProblem(root, 'ares')).toMatch(/^ares is a deploy target but root has no SSH key.*profiles\.base\.user\.sshKeys.*profiles\.deployTarget\.allowNoKey = true/);
    writeFileSync(join(root, file), readFileSync(join(root, file), 'utf-8').replace('base.user.sshKeys = [ ];', 'base.user.sshKeys = [ "ssh-ed25519 AAAA me" ];'));
    expect(keyProblem(root, 'ares')).toBeNull();
  });

  it('takes the deploy port from host.json, for the module to compare with sshd', () => {
    editJson('hosts/ares/host.json', (j) => (j.deployment.port = 2222));
    expect(evalFleet<{ port: number }>(root, 'lib.deployTarget hosts.ares').port).toBe(2222);
    expect(profileText('deploy-target.nix')).toMatch(/lib\.elem cfg\.port sshPorts/);
  });
});

describe('secret paths (lib/secret-path.nix)', () => {
  it('refuses "${./pw}" and ./pw, accepts a path on the machine', () => {
    writeFileSync(join(root, 'pw'), 'hunter2');
    const problems = evalNix<Array<string | null>>(
      root,
      `{ root }: let s = import (/. + root + "/packages/profiles/lib/secret-path.nix"); pw = /. + root + "/pw"; in
      [ (s.problem "grafana.adminPasswordFile" "\${pw}") (s.problem "x" pw) (s.problem "x" "/run/secrets/pw") (s.problem "x" "pw") (s.problem "x" null)
        (s.problem "ctx" "/run/secrets/\${builtins.substring 0 0 "\${pw}"}pw") ]`,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^grafana\.adminPasswordFile is \/nix\/store\/[a-z0-9]{32}-pw, which is \(or is copied to\) a file in the Nix store/),
      expect.stringMatching(/^x is \/.*\/pw, which is \(or is copied to\) a file in the Nix store/),
      null,
      expect.stringMatching(/^x must be an absolute path/),
      null,
      // Looks like a path on the machine, but carries the store path it was made from.
      expect.stringMatching(/^ctx is \/run\/secrets\/pw, which is \(or is copied to\) a file in the Nix store/),
    ]);
  });

  it('is the type of every secret option', () => {
    for (const file of ['server/roles/monitoring.nix', 'server/roles/database.nix', 'server/roles/backup.nix', 'base/user.nix']) {
      expect({ file, text: profileText(file) }).toEqual({ file, text: expect.stringMatching(/lib\/secret-path\.nix/) });
    }
    expect(profileText('server/roles/monitoring.nix')).not.toMatch(/File = mkOption \{\s*type = types\.str;/);
  });
});
