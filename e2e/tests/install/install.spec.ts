// install and vm on a real network-namespace test host: nx g host --hardware=qemu-vm, install
// (with a STAND-IN for nixos-anywhere, see e2e/support/install-fixtures.ts), then the first
// deploy verifies the host key pinned at install with StrictHostKeyChecking on. Real nx, nix,
// ssh, sshd, ssh-keygen and age.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ageIdentityFromSshPrivateKey } from '../../../packages/nix-fleet-plugin/testing/age-identity';
import { builtOutPath, deployResult, readLink, SYSTEM_PROFILE, switchScriptConfig } from '../../support/deploy-fixtures';
import { fixtureConfiguration, writeFixtureFleet, writeWorkspaceFile } from '../../support/fixture-fleet';
import { INSTALLED_ROOT, installFixtureFlake, NIXOS_ANYWHERE_STAND_IN, operatorSshConfig } from '../../support/install-fixtures';
import { startTestHosts, type TestHost, type TestNetwork } from '../../support/test-hosts';
import { createWorkspace, nxEnv, REPO_ROOT, type Workspace } from '../../support/workspace';

describe('install a new host, then deploy it', () => {
  let net: TestNetwork;
  let ws: Workspace;
  let web2: TestHost;
  let env: NodeJS.ProcessEnv;
  let standInLog: string;
  const standInCalls = () => readdirSync(dirname(standInLog)).filter((f) => f.startsWith('stand-in.log.')).sort().map((f) => readFileSync(join(dirname(standInLog), f), 'utf-8').split('\n').filter(Boolean));

  beforeAll(async () => {
    // web1 only answers the hardware detection; web2 is installed.
    net = await startTestHosts(2, { namePrefix: 'web' });
    web2 = net.hosts[1];
    ws = createWorkspace('nix-fleet-install-');
    writeFixtureFleet(ws.root, []);
    writeWorkspaceFile(ws.root, 'flake.nix', installFixtureFlake());
    // The generator checks --roles against the role files there are.
    writeWorkspaceFile(ws.root, 'packages/profiles/server/roles/web.nix', '# web\n{ ... }: { }\n');
    const tools = join(ws.root, '.test-tools');
    mkdirSync(join(tools, 'bin'), { recursive: true });
    writeFileSync(join(ws.root, '.gitignore'), 'node_modules\n.nx\ndist\n.test-tools\n');
    writeFileSync(join(tools, 'bin', 'nixos-anywhere'), NIXOS_ANYWHERE_STAND_IN);
    chmodSync(join(tools, 'bin', 'nixos-anywhere'), 0o755);
    standInLog = join(tools, 'stand-in.log');
    const emptyKnownHosts = join(tools, 'operator_known_hosts');
    writeFileSync(emptyKnownHosts, '');
    writeFileSync(join(tools, 'ssh_config'), operatorSshConfig(web2.name, web2.address, net.identityFile, emptyKnownHosts));
    env = {
      PATH: `${join(tools, 'bin')}:${process.env.PATH}`,
      NIX_FLEET_SSH_CONFIG: join(tools, 'ssh_config'),
      STAND_IN_LOG: standInLog,
      // The installer as it runs before install: the test host with its first key, as the network knows it.
      STAND_IN_SSH_CONFIG: net.sshConfigFile,
      STAND_IN_HOST: web2.name,
    };
    ws.commit('fixture fleet');
  });

  afterAll(async () => {
    await net?.teardown();
    ws?.remove();
  });

  it('generates web2 as a Proxmox VM server with a disk layout', () => {
    ws.nx(['g', '@nix-fleet/nx:host', 'web2', '--type=server', '--roles=web', '--hardware=qemu-vm', '--target-host=web2']);
    expect(JSON.parse(readFileSync(join(ws.root, 'hosts/web2/host.json'), 'utf-8'))).toMatchObject({ type: 'server', roles: ['web'] });
    expect(readFileSync(join(ws.root, 'hosts/web2/disko.nix'), 'utf-8')).toContain('disk = "/dev/vda";');
    // The fixture flake reads host.json and disko.nix; configuration.nix is the fixture's (no nixpkgs here).
    writeFileSync(join(ws.root, 'hosts/web2/configuration.nix'), fixtureConfiguration({ name: 'web2', extraConfig: switchScriptConfig() }));
    ws.commit('web2');
  });

  it('does not deploy before install: the machine answers with a key nobody pinned', () => {
    const r = ws.nx(['run', 'web2:deploy'], { env, allowFailure: true });
    expect(r.status).not.toBe(0);
    // Refused before anything is copied: no key is known under the host's name (HostKeyAlias).
    expect(`${r.stdout}${r.stderr}`).toMatch(/has no key for the host name "web2"/);
    expect(deployResult(ws.root, 'web2')).toMatchObject({ status: 'failed', copied: false });
  });

  // --targetHost, not --target-host: Nx 23 keeps flags whose first word is one of its own options
  // (--target...) from the task; the executors' common option rule reads them back.
  it('without --yes names the disks it would wipe and stops; nothing sent, nothing written', () => {
    const r = ws.nx(['run', 'web2:install', `--targetHost=root@${web2.address}`], { env, allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain(`Install of web2 on ${web2.address} would WIPE main (/dev/vda) (hosts/web2/disko.nix). Nothing was done. Run again with --yes to install.`);
    expect(standInCalls()).toEqual([]);
    expect(existsSync(join(ws.root, 'known_hosts'))).toBe(false);
  });

  it('installs from the build\'s store paths with a host key made here, pinned and in .sops.yaml', async () => {
    ws.nx(['run', 'web2:install', `--targetHost=root@${web2.address}`, '--yes'], { env });
    const system = builtOutPath(ws.root, 'web2');
    const [call] = standInCalls();
    expect(call.slice(0, 2)).toEqual(['--store-paths', call[1]]);
    expect(call[1]).toMatch(/^\/nix\/store\/[a-z0-9]{32}-disko-web2$/);
    expect(call.slice(2, 4)).toEqual([system, '--extra-files']);
    expect(call.slice(5)).toEqual(['--target-host', `root@${web2.address}`]);
    // The private key lived in a temporary folder only, removed after install.
    expect(call[4].startsWith('/nix/store')).toBe(false);
    expect(existsSync(call[4])).toBe(false);
    expect(await readLink(web2, SYSTEM_PROFILE)).toBe(system);

    const installedPub = (await web2.exec(['cat', `${INSTALLED_ROOT}/etc/ssh/ssh_host_ed25519_key.pub`])).trim();
    const pin = readFileSync(join(ws.root, 'known_hosts'), 'utf-8').split('\n').find((l) => l.startsWith('web2 '));
    expect(pin).toBe(`web2 ${installedPub.split(' ').slice(0, 2).join(' ')}`);

    // The recipient in .sops.yaml decrypts with the identity the host derives from its installed key.
    const recipient = /^\s+- &web2 (age1\S+)$/m.exec(readFileSync(join(ws.root, '.sops.yaml'), 'utf-8'))![1];
    const privateKey = await web2.exec(['cat', `${INSTALLED_ROOT}/etc/ssh/ssh_host_ed25519_key`]);
    const identity = join(ws.root, '.test-tools', 'web2.agekey');
    writeFileSync(identity, `${ageIdentityFromSshPrivateKey(privateKey)}\n`, { mode: 0o600 });
    const sealed = execFileSync('age', ['-r', recipient], { input: 'db-password' });
    expect(execFileSync('age', ['-d', '-i', identity], { input: sealed, encoding: 'utf-8' })).toBe('db-password');

    // The private key is in no tracked file, no Nx output and no store path handed over. Its base64
    // lines after the first (the same "openssh-key-v1" header in every key) are its own.
    const secretLines = privateKey.split('\n').filter((l) => l && !l.startsWith('-----')).slice(1);
    ws.commit('install web2');
    const found = (cmd: string, before: string[], after: string[]) => {
      const r = spawnSync(cmd, [...before, ...secretLines.flatMap((l) => ['-e', l]), ...after], { cwd: ws.root, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed: ${r.stderr}`);
      return r.stdout.trim();
    };
    expect(found('git', ['grep', '-lF'], ['HEAD'])).toBe('');
    expect(found('grep', ['-rlF'], ['.nx', 'dist'])).toBe('');
    const closure = execFileSync('nix', ['path-info', '-r', system, call[1]], { encoding: 'utf-8' }).split('\n').filter(Boolean);
    expect(found('grep', ['-rlF'], closure)).toBe('');
    // The check can see a key: the installed copy on the host has it.
    expect(found('grep', ['-rlF'], [join(dirname(web2.storeDir), 'nix', INSTALLED_ROOT.replace('/nix/', ''))])).not.toBe('');
  }, 120000);

  it('the first deploy verifies the pinned key (StrictHostKeyChecking on) and reports unchanged', async () => {
    // What the reboot into the new system does: sshd comes up with the host key install made.
    const sshdConfig = join(dirname(web2.storeDir), 'sshd_config');
    const rebooted = join(dirname(web2.storeDir), 'sshd_config.installed');
    writeFileSync(rebooted, readFileSync(sshdConfig, 'utf-8').replace(/^HostKey .*$/m, `HostKey ${INSTALLED_ROOT}/etc/ssh/ssh_host_ed25519_key`));
    await web2.exec(['sh', '-c', 'kill "$(cat /run/sshd.pid)"; while [ -e /proc/"$(cat /run/sshd.pid 2>/dev/null || echo 0)" ] && [ -s /run/sshd.pid ]; do sleep 0.1; done; /usr/sbin/sshd -f "$0"', rebooted]);
    const r = ws.nx(['run', 'web2:deploy'], { env });
    expect(r.stdout).toContain('web2: unchanged');
    expect(deployResult(ws.root, 'web2')).toMatchObject({ status: 'unchanged' });
    expect(readFileSync(join(ws.root, '.test-tools', 'operator_known_hosts'), 'utf-8')).toBe('');
  }, 120000);

  it('refuses a second install of the running host before anything is sent', () => {
    const before = { known: readFileSync(join(ws.root, 'known_hosts'), 'utf-8'), sops: readFileSync(join(ws.root, '.sops.yaml'), 'utf-8'), calls: standInCalls().length };
    const r = ws.nx(['run', 'web2:install', `--targetHost=root@${web2.address}`, '--yes'], { env, allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain(`${web2.address} answers with the host key pinned for web2 in known_hosts and runs ${builtOutPath(ws.root, 'web2')}: it is installed already`);
    expect(standInCalls()).toHaveLength(before.calls);
    expect(readFileSync(join(ws.root, 'known_hosts'), 'utf-8')).toBe(before.known);
    expect(readFileSync(join(ws.root, '.sops.yaml'), 'utf-8')).toBe(before.sops);
  });

  it('refuses a second install when the pinned key answers but the user cannot log in', () => {
    // An installed server deployed as a non-root user has PermitRootLogin "no": the host key still proves it is web2.
    const before = { known: readFileSync(join(ws.root, 'known_hosts'), 'utf-8'), sops: readFileSync(join(ws.root, '.sops.yaml'), 'utf-8'), calls: standInCalls().length };
    const r = ws.nx(['run', 'web2:install', `--targetHost=nobody@${web2.address}`, '--yes'], { env, allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain(`${web2.address} answers with the host key pinned for web2 in known_hosts: it is installed already`);
    expect(standInCalls()).toHaveLength(before.calls);
    expect(readFileSync(join(ws.root, 'known_hosts'), 'utf-8')).toBe(before.known);
    expect(readFileSync(join(ws.root, '.sops.yaml'), 'utf-8')).toBe(before.sops);
  });

  it('vm builds once, is a cache hit the second time, and starts with SSH on a free local port', () => {
    const first = ws.nx(['run', 'web2:vm-build'], { env });
    expect(first.stdout).not.toContain('read the output from the cache');
    const second = ws.nx(['run', 'web2:vm'], { env });
    expect(second.stdout).toMatch(/Nx read the output from the cache|existing outputs match the cache/);
    const port = /ssh -p (\d+) root@127\.0\.0\.1/.exec(second.stdout)![1];
    expect(second.stdout).toContain(`QEMU stand-in for web2: QEMU_NET_OPTS=hostfwd=tcp:127.0.0.1:${port}-:22`);
  });

  it('detect-hardware writes the detected file into hosts/<name>/ and commits it, wiping nothing', () => {
    ws.nx(['g', '@nix-fleet/nx:host', 'web3', '--type=server', '--hardware=generated', '--disk=/dev/sdb']);
    writeFileSync(join(ws.root, 'hosts/web3/configuration.nix'), fixtureConfiguration({ name: 'web3' }));
    ws.commit('web3');
    const calls = standInCalls().length;
    ws.nx(['run', 'web3:detect-hardware', `--targetHost=root@${net.hosts[0].address}`], { env });
    expect(standInCalls().slice(calls)).toEqual([
      ['--flake', `${ws.root}#web3`, '--no-use-machine-substituters', '--phases', 'kexec', '--generate-hardware-config', 'nixos-generate-config', join(ws.root, 'hosts/web3/hardware-configuration.nix'), '--target-host', `root@${net.hosts[0].address}`],
    ]);
    expect(ws.git(['log', '-1', '--format=%s', '--', 'hosts/web3/hardware-configuration.nix']).trim()).toBe('hosts/web3: hardware detected by nixos-anywhere');
    expect(ws.git(['status', '--porcelain', '--', 'hosts/web3']).trim()).toBe('');
  });

  it('a failed nixos-anywhere says that known_hosts and .sops.yaml name a key made for that attempt', () => {
    const r = ws.nx(['run', 'web3:install', `--targetHost=root@${net.hosts[0].address}`, '--yes'], { env: { ...env, STAND_IN_FAIL: '1' }, allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toContain('known_hosts and .sops.yaml now name the host key made for this attempt. Do not commit them yet: run install again');
  });

    it('Ctrl-C while nixos-anywhere runs leaves no host private key behind', async () => {
    const calls = standInCalls().length;
    // Its own session, as a terminal's foreground job: the stand-in's SIGINT reaches nx and the executor, not jest.
    const r = spawnSync('setsid', [process.execPath, join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), 'run', 'web3:install', `--targetHost=root@${net.hosts[0].address}`, '--yes'], {
      cwd: ws.root,
      env: nxEnv({ ...env, STAND_IN_INTERRUPT: '1' }),
      encoding: 'utf-8',
      timeout: 120000,
    });
    expect(r.status).not.toBe(0);
    const [call] = standInCalls().slice(calls);
    expect(call[3]).toBe('--extra-files');
    const extra = call[4];
    // The executor may still be cleaning up when nx has gone: give it a few seconds.
    for (let i = 0; i < 50 && existsSync(extra); i++) await new Promise((done) => setTimeout(done, 100));
    expect(existsSync(extra)).toBe(false);
  }, 180000);
});
