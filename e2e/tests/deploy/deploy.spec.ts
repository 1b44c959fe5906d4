// deploy on real SSH test hosts: one host, a parallel fleet, unchanged reruns, dry-activate,
// the per-host lock and host key checking. Real nx, nix, ssh and sshd. Every case runs on both
// kinds of test host (deploy-fixtures.ts HostKind), five hosts of each kind shared by the cases.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activations,
  builtOutPath,
  deployResult,
  deploymentFor,
  exists,
  readLink,
  switchScriptConfig,
  SYSTEM_PROFILE,
  waitFor,
  type SwitchBehaviour,
  startDeployFleet,
  type DeployFleet,
  type HostKind,
} from '../../support/deploy-fixtures';
import { activationStarter } from '../../support/activation-evidence';
import { writeFixtureHost, writeFixtureFleet, type FixtureHost } from '../../support/fixture-fleet';
import { createNixCounter } from '../../support/nix-counter';
import type { TestNetwork } from '../../support/test-hosts';
import { nxEnv, type Workspace } from '../../support/workspace';

const NX_BIN = join(__dirname, '..', '..', '..', 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

describe.each<HostKind>(['namespace', 'systemd'])('deploy to test hosts (%s)', (kind) => {
  // Different on purpose: where systemd is PID 1 the activation runs as a transient unit (as
  // nixos-rebuild does: outside every ssh session's cgroup), and the setsid branch must not run;
  // elsewhere setsid is all there is.
  const starter = kind === 'systemd' ? 'unit' : 'setsid';
  let net: TestNetwork;
  let fleet: DeployFleet | undefined;
  let ws: Workspace;
  const hostJsonExtra: Record<string, Record<string, unknown>> = {};

  const fixtureHost = (i: number, version: string, behaviour: SwitchBehaviour = {}): FixtureHost => {
    const h = net.hosts[i];
    return {
      name: h.name,
      packages: [{ name: `${h.name}-app`, version, size: 65536 }],
      hostJson: deploymentFor(net, h, hostJsonExtra[h.name]),
      extraConfig: switchScriptConfig(behaviour),
    };
  };
  const rewrite = (indexes: number[], version: string, behaviour: SwitchBehaviour = {}) => {
    for (const i of indexes) writeFixtureHost(ws.root, fixtureHost(i, version, behaviour));
    ws.commit(`version ${version}`);
  };

  beforeAll(async () => {
    fleet = await startDeployFleet(5, 'web', 'nix-fleet-deploy-', kind);
    ({ net, ws } = fleet);
    // web1's checks: a command, and a URL only reachable from inside the host (its loopback).
    await net.hosts[0].exec(['busybox', 'httpd', '-p', '127.0.0.1:8080', '-h', '/etc']);
    hostJsonExtra.web1 = {
      healthChecks: [
        { command: 'test -L /run/current-system', timeout: 5 },
        { url: 'http://127.0.0.1:8080/hostname', timeout: 5 },
      ],
    };
    writeFixtureFleet(ws.root, [0, 1, 2, 3, 4].map((i) => fixtureHost(i, '1.0')));
    ws.commit('fleet');
  });

  afterAll(async () => fleet?.teardown());

  it('deploys one host: the profile points at the new system and the activation ran', async () => {
    const web1 = net.hosts[0];
    const r = ws.nx(['run', 'web1:deploy']);
    const outPath = builtOutPath(ws.root, 'web1');
    expect(await readLink(web1, SYSTEM_PROFILE)).toBe(outPath);
    expect(await readLink(web1, `${SYSTEM_PROFILE}-1-link`)).toBe(outPath);
    expect(await readLink(web1, '/run/current-system')).toBe(outPath);
    expect(await activations(web1)).toEqual([`switch ${outPath}`]);
    expect(await activationStarter(kind, web1)).toBe(starter);
    expect(r.stdout).toContain('health check passed: GET http://127.0.0.1:8080/hostname');
    expect(deployResult(ws.root, 'web1')).toMatchObject({ status: 'deployed', copied: true, mode: 'switch' });
    // The lock is released and the watchdog was disarmed by the deployer's confirmation.
    expect(await exists(web1, '/run/nix-fleet/deploy.lock')).toBe(false);
    const decided = await web1.exec(['sh', '-c', 'cat /run/nix-fleet/*/decision/by']);
    expect(decided.trim()).toBe('deployer');
  });

  it('deploys five hosts in parallel, then reports all unchanged and copies nothing', async () => {
    rewrite([0, 1, 2, 3, 4], '2.0');
    const first = ws.nx(['run-many', '-t', 'deploy', '--parallel=5']);
    expect(first.stdout).toMatch(/Deploy \(5 hosts\): 5 deployed, 0 unchanged, 0 rolled back, 0 failed/);
    for (const h of net.hosts) {
      const outPath = builtOutPath(ws.root, h.name);
      expect(await readLink(h, SYSTEM_PROFILE)).toBe(outPath);
      expect((await activations(h)).at(-1)).toBe(`switch ${outPath}`);
      expect(await activationStarter(kind, h)).toBe(starter);
    }
    const logsBefore = await Promise.all(net.hosts.map(activations));

    const second = ws.nx(['run-many', '-t', 'deploy', '--parallel=5']);
    expect(second.stdout).toMatch(/Deploy \(5 hosts\): 0 deployed, 5 unchanged, 0 rolled back, 0 failed/);
    expect(second.stdout + second.stderr).not.toContain('nix copy');
    for (const h of net.hosts) expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'unchanged', copied: false });
    expect(await Promise.all(net.hosts.map(activations))).toEqual(logsBefore);
    const summary = JSON.parse(readFileSync(join(ws.root, 'dist/deploy/summary.json'), 'utf-8'));
    expect(summary.counts).toMatchObject({ deployed: 0, unchanged: 5 });
  });

  it('dry-activate runs the activation in dry mode and changes nothing', async () => {
    const web2 = net.hosts[1];
    const before = await readLink(web2, SYSTEM_PROFILE);
    rewrite([1], '3.0');
    const r = ws.nx(['run', 'web2:deploy', '--mode=dry-activate']);
    const outPath = builtOutPath(ws.root, 'web2');
    expect(outPath).not.toBe(before);
    expect(await readLink(web2, SYSTEM_PROFILE)).toBe(before);
    expect(await readLink(web2, '/run/current-system')).toBe(before);
    expect((await activations(web2)).at(-1)).toBe(`dry-activate ${outPath}`);
    expect(await activationStarter(kind, web2)).toBe(starter);
    expect(r.stdout).toContain('nothing changed');
    expect(deployResult(ws.root, 'web2')).toMatchObject({ status: 'dry-activated' });
  });

  it('refuses a concurrent deploy to the same host, naming the holder', async () => {
    const web3 = net.hosts[2];
    rewrite([2], '4.0', { sleepSeconds: 12 });
    ws.nx(['run', 'web3:build']);
    const first = spawn(process.execPath, [NX_BIN, 'run', 'web3:deploy'], { cwd: ws.root, env: nxEnv(), stdio: 'pipe' });
    let firstOut = '';
    first.stdout.on('data', (c) => (firstOut += c));
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    await waitFor('the first deploy to take the lock', () => exists(web3, '/run/nix-fleet/deploy.lock'), 60000);

    const second = ws.nx(['run', 'web3:deploy'], { allowFailure: true });
    expect(second.status).not.toBe(0);
    expect(second.stdout + second.stderr).toMatch(/web3 is already being deployed \(lock \/run\/nix-fleet\/deploy\.lock on web3 held by \S+ pid \d+ since /);
    expect(first.exitCode).toBeNull(); // refused while the first one was still activating

    expect(await firstDone).toBe(0);
    expect(firstOut).toContain('web3: deployed');
    expect(await readLink(web3, SYSTEM_PROFILE)).toBe(builtOutPath(ws.root, 'web3'));
    expect(await activationStarter(kind, web3)).toBe(starter);
    expect(await exists(web3, '/run/nix-fleet/deploy.lock')).toBe(false);
  });

  it('refuses a host whose key does not match known_hosts, and changes nothing', async () => {
    const web4 = net.hosts[3];
    // A known_hosts that gives web4 the key of web5: what a man in the middle would look like.
    const lines = readFileSync(net.knownHostsFile, 'utf-8').split('\n').filter(Boolean);
    const web5Key = lines.find((l) => l.startsWith('web5 '))!.split(' ').slice(1).join(' ');
    const badKnownHosts = join(ws.root, 'bad_known_hosts');
    writeFileSync(badKnownHosts, `web4 ${web5Key}\n`);
    // The operator's own ssh config (NIX_FLEET_SSH_CONFIG), pointing at that known_hosts.
    const badConfig = join(ws.root, 'bad_ssh_config');
    writeFileSync(badConfig, readFileSync(net.sshConfigFile, 'utf-8').replaceAll(net.knownHostsFile, badKnownHosts));
    const profileBefore = await readLink(web4, SYSTEM_PROFILE);
    const logBefore = await activations(web4);
    rewrite([3], '5.0');

    const r = ws.nx(['run', 'web4:deploy'], { allowFailure: true, env: { NIX_FLEET_SSH_CONFIG: badConfig } });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Deploy of web4 failed at connect: .*Host key verification failed/s);
    expect(deployResult(ws.root, 'web4')).toMatchObject({ status: 'failed', step: 'connect', copied: false });
    expect(await readLink(web4, SYSTEM_PROFILE)).toBe(profileBefore);
    expect(await activations(web4)).toEqual(logBefore);
    expect(await exists(web4, builtOutPath(ws.root, 'web4'))).toBe(false);
  });

  describe('untrusted host.json and flags', () => {
    const pwned = () => join(ws.root, 'pwned');
    let version = 6;

    it.each([
      ['host.json', { sshOptions: ['-o', 'ProxyCommand=touch pwned'] }, [], 'hosts/web5/host.json deployment.sshOptions: "-o ProxyCommand=touch pwned" is not an allowed ssh option'],
      ['host.json', { sshOptions: ['-oLocalCommand=touch pwned', '-oPermitLocalCommand=yes'] }, [], '"-o LocalCommand=touch pwned" is not an allowed ssh option'],
      ['host.json', { sshOptions: ['-F', 'evil_config'] }, [], '"-F" is not an allowed ssh option'],
      ['host.json', { sshOptions: ['-J', 'x$(touch${IFS}pwned)'] }, [], 'is not a list of [user@]host[:port] jump hosts'],
      ['a flag', {}, ['--sshOptions=-oProxyCommand=touch pwned'], '--sshOptions: "-o ProxyCommand=touch pwned" is not an allowed ssh option'],
      ['a flag', {}, ['--sshOptions=-oStrictHostKeyChecking=false'], '--sshOptions: "-o StrictHostKeyChecking=false" is not an allowed ssh option'],
      ['a flag', {}, ['--sshOptions=-oUserKnownHostsFile=/dev/null'], 'is not an allowed ssh option'],
      ['a flag', {}, ['--host=../../x'], '--host="../../x" is not a valid host name'],
    ])('refuses ssh options from %s that run commands or skip host keys: %j %j, before any ssh', async (_from, deployment, flags, message) => {
      const web5 = net.hosts[4];
      writeFileSync(join(ws.root, 'evil_config'), 'Host *\n  ProxyCommand touch pwned\n');
      hostJsonExtra.web5 = deployment;
      rewrite([4], `${version++}.0`);
      const before = await activations(web5);
      const ssh = createNixCounter('ssh');
      const r = ws.nx(['run', 'web5:deploy', '--mode=dry-activate', ...flags], { allowFailure: true, env: ssh.env });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(message);
      expect(ssh.calls()).toEqual([]);
      expect(existsSync(pwned())).toBe(false);
      expect(await activations(web5)).toEqual(before);
      hostJsonExtra.web5 = {};
    });

    it('refuses an effective ssh config without host key checking, however it is spelled, before connecting', async () => {
      const web5 = net.hosts[4];
      rewrite([4], `${version++}.0`);
      const before = await activations(web5);
      for (const setting of ['StrictHostKeyChecking no', 'StrictHostKeyChecking=off', 'StrictHostKeyChecking "false"']) {
        const loose = join(ws.root, 'loose_ssh_config');
        writeFileSync(loose, `Host web5\n  ${setting}\n\n${readFileSync(net.sshConfigFile, 'utf-8')}`);
        const ssh = createNixCounter('ssh');
        const r = ws.nx(['run', 'web5:deploy'], { allowFailure: true, env: { ...ssh.env, NIX_FLEET_SSH_CONFIG: loose } });
        expect(r.status).not.toBe(0);
        expect(r.stdout + r.stderr).toContain('ssh to web5 would not check its host key (StrictHostKeyChecking false');
        expect(ssh.calls().every((c) => c.startsWith('-G '))).toBe(true);
      }
      expect(await activations(web5)).toEqual(before);
    });
  });
});
