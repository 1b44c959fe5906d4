// Every executor option works as typed in camelCase or kebab-case, and an unknown one is refused
// by name before anything reaches a host. Real nx, nix, ssh and sshd on two test hosts:
// flags1 is the host.json address of fleet host "opt1", flags2 the machine a flag sends it to.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, authentications, builtOutPath, readLink, startDeployFleet, switchScriptConfig, SYSTEM_PROFILE, type DeployFleet } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import type { TestNetwork } from '../../support/test-hosts';
import type { Workspace } from '../../support/workspace';

describe('executor flags in both spellings, unknown ones refused', () => {
  let fleet: DeployFleet | undefined;
  let net: TestNetwork;
  let ws: Workspace;
  const host = (version: string): FixtureHost => ({
    name: 'opt1',
    packages: [{ name: 'opt1-app', version, size: 4096 }],
    hostJson: { deployment: { targetHost: net.hosts[0].name } },
    extraConfig: switchScriptConfig(),
  });
  const out = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

  beforeAll(async () => {
    fleet = await startDeployFleet(2, 'flags', 'nix-fleet-flags-');
    ({ net, ws } = fleet);
    // The redirected deploy reaches flags1 as the machine of "opt1" and of flags0's address
    // alias: its key is what known_hosts expects whichever name ssh checks the key under.
    const known = readFileSync(net.knownHostsFile, 'utf-8').split('\n');
    const key = known.find((l) => l.startsWith(`${net.hosts[1].name} `))!.split(' ').slice(1).join(' ');
    appendFileSync(net.knownHostsFile, `opt1 ${key}\n${net.hosts[0].name} ${key}\n`);
    writeFixtureFleet(ws.root, [host('1.0')]);
    ws.commit('fleet');
  });

  afterAll(async () => fleet?.teardown());

  it('--target-host and --targetHost both send the deploy to another machine; the host.json address gets nothing', async () => {
    const [home, other] = net.hosts;
    const kebab = ws.nx(['run', 'opt1:deploy', `--target-host=${other.name}`]);
    const outPath = builtOutPath(ws.root, 'opt1');
    expect(out(kebab)).toContain('opt1: deployed');
    expect(await readLink(other, SYSTEM_PROFILE)).toBe(outPath);
    expect(await activations(other)).toEqual([`switch ${outPath}`]);

    writeFixtureHost(ws.root, host('2.0'));
    ws.commit('2.0');
    const camel = ws.nx(['run', 'opt1:deploy', `--targetHost=${other.name}`]);
    const next = builtOutPath(ws.root, 'opt1');
    expect(out(camel)).toContain('opt1: deployed');
    expect(await readLink(other, SYSTEM_PROFILE)).toBe(next);
    expect(await activations(other)).toEqual([`switch ${outPath}`, `switch ${next}`]);
    expect(authentications(home)).toBe(0);
    expect(await activations(home)).toEqual([]);
  });

  it('refuses --target-hots by name with the option meant, before any ssh connection', async () => {
    const before = net.hosts.map((h) => authentications(h));
    // Colour left to Nx (no NO_COLOR, output not a terminal): the refusal is plain text all the same.
    const r = ws.nx(['run', 'opt1:deploy', `--target-hots=${net.hosts[1].name}`, '--force'], { allowFailure: true, env: { NO_COLOR: undefined } });
    expect(r.status).not.toBe(0);
    const lines = out(r).split('\n').filter((l) => l.includes('Unknown option'));
    expect(lines).toContain('Deploy of opt1 refused: Unknown option --target-hots for deploy. Did you mean --target-host?');
    // The fleet table keeps the refusal as the host's failed preflight.
    expect(lines.some((l) => /^opt1\s+failed\s+switch\s+no\s+preflight/.test(l))).toBe(true);
    for (const l of lines) expect(l).not.toMatch(/\x1b\[/);
    expect(net.hosts.map((h) => authentications(h))).toEqual(before);
  });

  it('refuses --targetHost and --target-host with two values (Nx keeps the second from the task) before any ssh', () => {
    const before = net.hosts.map((h) => authentications(h));
    const r = ws.nx(['run', 'opt1:deploy', '--targetHost=nowhere.invalid', `--target-host=${net.hosts[1].name}`], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(out(r)).toContain(`Deploy of opt1 refused: --targetHost and --target-host name one option of deploy with two values ("nowhere.invalid", "${net.hosts[1].name}"). Give it once.`);
    expect(net.hosts.map((h) => authentications(h))).toEqual(before);
  });

  it('a flag typed on the command line is above nx.json targetDefaults in kebab-case', () => {
    const nxJson = join(ws.root, 'nx.json');
    const before = readFileSync(nxJson, 'utf-8');
    writeFileSync(nxJson, JSON.stringify({ ...JSON.parse(before), targetDefaults: { deploy: { options: { 'target-host': 'nowhere.invalid' } } } }, null, 2));
    try {
      const r = ws.nx(['run', 'opt1:deploy', '--mode=plan', `--targetHost=${net.hosts[1].name}`], { allowFailure: true });
      expect(out(r)).not.toContain('name one option of deploy with two values');
      expect(out(r)).not.toContain('nowhere.invalid');
      expect(r.status).toBe(0);
    } finally {
      writeFileSync(nxJson, before);
    }
  });

  it('exec --target-user=bob logs in as bob (who has no key here), not as host.json\'s root', async () => {
    const other = net.hosts[1];
    const r = ws.nx(['run', 'opt1:exec', `--target-host=${other.name}`, '--target-user=bob', '--command=id -un'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(readFileSync(other.sshdLog, 'utf-8')).toMatch(/user bob/);
    const camel = ws.nx(['run', 'opt1:exec', `--targetHost=${other.name}`, '--command=id -un']);
    expect(out(camel)).toContain('opt1 | root');
  });

  it('an unknown host key names the fix: ssh-keyscan, the fingerprint, or accept-new with a known_hosts path', async () => {
    // The operator's ssh config with an empty known_hosts: a first contact.
    const emptyKnown = join(ws.root, 'empty_known_hosts');
    writeFileSync(emptyKnown, '');
    const config = join(ws.root, 'first_contact_ssh_config');
    writeFileSync(config, readFileSync(net.sshConfigFile, 'utf-8').replaceAll(net.knownHostsFile, emptyKnown));
    const r = ws.nx(['run', 'opt1:generations'], { allowFailure: true, env: { NIX_FLEET_SSH_CONFIG: config } });
    expect(r.status).not.toBe(0);
    // Refused before ssh connects: no key under the fleet host name (ssh HostKeyAlias=opt1).
    expect(out(r)).toContain('has no key for the host name "opt1"');
    expect(out(r)).toMatch(/Fetch it and check it: ssh-keyscan \S+ \| sed 's\/\^\[\^ \]\* \/opt1 \/' > \/tmp\/opt1\.key; ssh-keygen -lf /);
    expect(out(r)).toContain('compare the fingerprint with the one the machine itself shows');
    expect(out(r)).toContain('"StrictHostKeyChecking accept-new" with a "UserKnownHostsFile" path');
  });

  it('run-many with --target-host or --targetHost is refused for every host before any ssh: one machine would get each system in turn', async () => {
    const [home, other] = net.hosts;
    writeFixtureHost(ws.root, { ...host('3.0'), name: 'opt2', packages: [{ name: 'opt2-app', version: '1.0', size: 4096 }], hostJson: { deployment: { targetHost: other.name } } });
    ws.commit('opt2');
    const before = net.hosts.map((h) => authentications(h));
    const kebab = ws.nx(['run-many', '-t', 'deploy', `--target-host=${home.name}`], { allowFailure: true });
    const camel = ws.nx(['run-many', '-t', 'deploy', '--mode=plan', `--targetHost=${home.name}`], { allowFailure: true });
    for (const r of [kebab, camel]) {
      expect(r.status).not.toBe(0);
      for (const h of ['opt1', 'opt2']) expect(out(r)).toContain(`of ${h} failed: --targetHost=${home.name} names one machine, but this run has 2 deploy tasks`);
    }
    expect(net.hosts.map((h) => authentications(h))).toEqual(before);
  });
});
