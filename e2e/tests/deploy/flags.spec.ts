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
    expect(out(r)).toContain('Host key verification failed');
    expect(out(r)).toMatch(/ssh does not know the host key of \S+\. Fetch it and check it \(ssh-keyscan /);
    expect(out(r)).toContain('"StrictHostKeyChecking accept-new" with a "UserKnownHostsFile" path');
  });
});
