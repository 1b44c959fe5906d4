// The rules the profile library writes, loaded by the real iptables, ip6tables and nft in a network
// namespace this test makes (never the machine's own firewall): Docker's DOCKER-USER chain, the
// iptables backend's nixos-fw rules and the nftables backend's input rules, for this repo's fleet.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evalFleet } from '../../support/homelab-safety';
import { REPO_ROOT } from '../../support/workspace';

const ns = `nf-fw-${process.pid}`;
const inNs = (cmd: string, args: string[]) => spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf-8' });
const ok = (cmd: string, args: string[]) => {
  const r = inNs(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
};

interface Plan {
  docker4: string[][];
  docker6: string[][];
  iptables: string;
  nftables: string;
}

let plan: Plan;
let dir: string;
beforeAll(() => {
  spawnSync('ip', ['netns', 'add', ns]);
  dir = mkdtempSync(join(tmpdir(), 'firewall-rules-'));
  // The example fleet plus an IPv6 network and a LAN, so both families have sources.
  plan = evalFleet<Plan>(
    REPO_ROOT,
    `let
      s = lib.firewall.fleetSources { inherit hosts; subnets = [ "10.0.10.0/24" "fd00:10::/64" ]; };
      ports = { fleetTCPPorts = [ 8080 ]; publicTCPPorts = [ 8443 ]; };
      tcp = [ 3000 9090 9100 ];
    in {
      docker4 = lib.docker.userChainRules ({ sources = s.ipv4; } // ports);
      docker6 = lib.docker.userChainRules ({ sources = s.ipv6; } // ports);
      iptables = (lib.firewall.rulesFor { backend = "iptables"; sources = s; inherit tcp; }).extraCommands;
      nftables = (lib.firewall.rulesFor { backend = "nftables"; sources = s; inherit tcp; }).extraInputRules;
    }`,
  );
});
afterAll(() => {
  spawnSync('ip', ['netns', 'del', ns]);
  rmSync(dir, { recursive: true, force: true });
});

describe('the rules load into the real tools', () => {
  it.each([
    ['iptables', 'docker4'],
    ['ip6tables', 'docker6'],
  ] as const)("%s takes Docker's DOCKER-USER chain as written, in order", (tool, key) => {
    ok(tool, ['-w', '-N', 'DOCKER-USER']);
    for (const args of plan[key]) ok(tool, ['-w', ...args]);
    const listed = ok(tool, ['-w', '-S', 'DOCKER-USER']).trim().split('\n');
    const appended = plan[key].filter((a) => a[0] === '-A').map((a) => a.join(' '));
    expect(listed[0]).toBe('-N DOCKER-USER');
    expect(listed.length).toBe(appended.length + 1);
    expect(listed.slice(-2)).toEqual([
      '-A DOCKER-USER -o docker0 -m conntrack --ctstate NEW -j DROP',
      '-A DOCKER-USER -o br-+ -m conntrack --ctstate NEW -j DROP',
    ]);
    // Flushing first makes a second run (dockerd restarted) give the same chain, not twice the rules.
    for (const args of plan[key]) ok(tool, ['-w', ...args]);
    expect(ok(tool, ['-w', '-S', 'DOCKER-USER']).trim().split('\n')).toEqual(listed);
  });

  it("takes the iptables backend's fleet rules in nixos-fw", () => {
    for (const tool of ['iptables', 'ip6tables']) {
      ok(tool, ['-w', '-N', 'nixos-fw']);
      ok(tool, ['-w', '-N', 'nixos-fw-accept']);
    }
    const lines = plan.iptables.split('\n');
    expect(lines.length).toBeGreaterThan(0);
    // Each line is a command of fixed words and validated addresses: split, never a shell.
    for (const line of lines) {
      const [tool, ...args] = line.split(' ');
      ok(tool, args);
    }
    expect(ok('iptables', ['-w', '-S', 'nixos-fw'])).toContain('-A nixos-fw -s 10.0.10.14/32 -p tcp -m tcp --dport 9100 -j nixos-fw-accept');
    expect(ok('ip6tables', ['-w', '-S', 'nixos-fw'])).toContain('-A nixos-fw -s fd00:10::/64 -p tcp -m tcp --dport 9100 -j nixos-fw-accept');
  });

  it("passes nft's own check of the nftables backend's input rules", () => {
    const file = join(dir, 'fleet.nft');
    writeFileSync(file, `table inet nixos-fw {\n  chain input-allow {\n${plan.nftables}\n  }\n}\n`);
    const r = inNs('nft', ['-c', '-f', file]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    // And nft itself refuses the address the library now refuses too.
    writeFileSync(file, 'table inet nixos-fw {\n  chain input-allow {\n    ip saddr 10.0.10.256 tcp dport { 9100 } accept\n  }\n}\n');
    expect(inNs('nft', ['-c', '-f', file]).status).not.toBe(0);
  });
});
