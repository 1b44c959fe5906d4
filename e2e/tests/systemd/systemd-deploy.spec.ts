// deploy on systemd test hosts (systemd as PID 1 in systemd-nspawn, sshd and nix-daemon as
// units): what only differs on such a host. The activation and the watchdog run as transient
// units (the setsid branch, which the namespace hosts of e2e/tests/deploy take, must not run);
// switch-to-configuration restarts units, sshd among them, and exits 4 when one fails to start.
// sd1 deploys as root, one case after the other on the same host (each starts from the last);
// sd2 deploys as the `deploy` user through sudo and the host's nix-daemon.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestRun, unitJournal } from '../../support/activation-evidence';
import { activations, builtOutPath, deployResult, exists, readLink, startDeployFleet, SYSTEM_PROFILE, waitFor, type DeployFleet } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost } from '../../support/fixture-fleet';
import { BOOT_ENTRY, systemdHostFixture, webUrl, webVersion, WEB_UNIT, type SystemdSystem } from '../../support/systemd-fixtures';
import { DEPLOY_USER, SUDOERS_FILE, type SystemdHost } from '../../support/systemd-hosts';
import { nxEnv, REPO_ROOT, type Workspace } from '../../support/workspace';

const NX_BIN = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

describe('deploy to systemd test hosts', () => {
  let fleet: DeployFleet | undefined;
  let ws: Workspace;
  let sd1: SystemdHost;
  let sd2: SystemdHost;
  const asDeployUser = { targetUser: DEPLOY_USER };

  const write = (h: SystemdHost, version: string, system: SystemdSystem = {}, deployment: Record<string, unknown> = {}) => {
    writeFixtureHost(ws.root, systemdHostFixture(h, version, system, deployment));
    ws.commit(`${h.name} ${version}`);
  };

  beforeAll(async () => {
    fleet = await startDeployFleet(2, 'sd', 'nix-fleet-sd-workspace-', 'systemd');
    ws = fleet.ws;
    [sd1, sd2] = fleet.net.hosts as SystemdHost[];
    writeFixtureFleet(ws.root, [systemdHostFixture(sd1, '1.0'), systemdHostFixture(sd2, '1.0', { web: 'absent' }, asDeployUser)]);
    ws.commit('fleet');
  });

  afterAll(async () => fleet?.teardown());

  it('activates as a transient unit, not with setsid: its journal shows it, no activation.pid', async () => {
    ws.nx(['run', 'sd1:deploy']);
    const outPath = builtOutPath(ws.root, 'sd1');
    expect(deployResult(ws.root, 'sd1')).toMatchObject({ status: 'deployed', copied: true });
    expect(await readLink(sd1, '/run/current-system')).toBe(outPath);
    expect(await readLink(sd1, SYSTEM_PROFILE)).toBe(outPath);
    expect(await webVersion(sd1)).toBe('1.0');
    const run = await latestRun(sd1);
    const token = run.split('/').pop()!;
    // Different on purpose: a systemd host starts the activation with systemd-run (as
    // nixos-rebuild does), so it is in the journal and outside any ssh session's cgroup.
    const journal = await unitJournal(sd1, `nix-fleet-activate-${token}.service`);
    expect(journal).toContain(`Started nix-fleet-activate-${token}.service - nix-fleet activation of deploy ${token}.`);
    expect(journal).toContain(`nix-fleet-activate-${token}.service: Deactivated successfully.`);
    // The watchdog too: a unit of its own, stopped by the deployer's confirmation.
    expect(await unitJournal(sd1, `nix-fleet-watchdog-${token}.service`)).toContain(`Started nix-fleet-watchdog-${token}.service - nix-fleet watchdog of deploy ${token}.`);
    expect(await exists(sd1, `${run}/watchdog.pid`)).toBe(false);
    expect(await exists(sd1, `${run}/activation.pid`)).toBe(false);
    // What the deployer reads back is the same files as on a namespace host.
    expect((await sd1.exec(['cat', `${run}/activation.rc`])).trim()).toBe('0');
    expect(await sd1.exec(['cat', `${run}/activation.log`])).toContain(`activated switch ${outPath}`);
    expect((await sd1.exec(['cat', `${run}/decision/by`])).trim()).toBe('deployer');
  });

  it('an activation that restarts sshd mid-deploy (killing every ssh session) still confirms', async () => {
    const restartsBefore = (await unitJournal(sd1, 'ssh.service')).split('\n').filter((l) => l.startsWith('Started ssh.service')).length;
    write(sd1, '2.0', { sshdDropIn: 'sshd v2' });
    const r = ws.nx(['run', 'sd1:deploy']);
    const outPath = builtOutPath(ws.root, 'sd1');
    expect(deployResult(ws.root, 'sd1')).toMatchObject({ status: 'deployed', running: outPath });
    const restarts = (await unitJournal(sd1, 'ssh.service')).split('\n').filter((l) => l.startsWith('Started ssh.service')).length;
    expect(restarts).toBe(restartsBefore + 1);
    // The follower's session died with sshd; the deployer followed the activation again.
    expect(r.stdout).toContain('connection lost during activation');
    expect(r.stdout).toContain('restarting ssh.service');
    expect(await webVersion(sd1)).toBe('2.0');
  });

  it('a unit that fails to start: exit 4, rolled back, the old unit runs again and answers', async () => {
    const before = await readLink(sd1, '/run/current-system');
    write(sd1, '3.0', { sshdDropIn: 'sshd v2', web: 'broken' });
    const r = ws.nx(['run', 'sd1:deploy'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    const result = deployResult(ws.root, 'sd1');
    expect(result).toMatchObject({ status: 'rolled-back', step: 'activation' });
    expect(result.message).toContain('failed (exit 4)');
    expect(result.message).toContain(`the following units failed: ${WEB_UNIT}`);
    expect(await readLink(sd1, '/run/current-system')).toBe(before);
    expect(await readLink(sd1, SYSTEM_PROFILE)).toBe(before);
    expect((await sd1.exec(['systemctl', 'is-active', WEB_UNIT])).trim()).toBe('active');
    expect(await webVersion(sd1)).toBe('2.0');
  });

  it('--mode=boot restarts nothing and points the next boot at the system', async () => {
    const running = await readLink(sd1, '/run/current-system');
    const webStarts = (await unitJournal(sd1, WEB_UNIT)).split('\n').filter((l) => l.startsWith('Started')).length;
    write(sd1, '4.0', { sshdDropIn: 'sshd v4' });
    ws.nx(['run', 'sd1:deploy', '--mode=boot']);
    const outPath = builtOutPath(ws.root, 'sd1');
    expect(deployResult(ws.root, 'sd1')).toMatchObject({ status: 'deployed', mode: 'boot' });
    expect(await readLink(sd1, BOOT_ENTRY)).toBe(outPath);
    expect(await readLink(sd1, SYSTEM_PROFILE)).toBe(outPath);
    expect(await readLink(sd1, '/run/current-system')).toBe(running);
    expect((await activations(sd1)).pop()).toBe(`boot ${outPath}`);
    expect(await webVersion(sd1)).toBe('2.0');
    expect((await unitJournal(sd1, WEB_UNIT)).split('\n').filter((l) => l.startsWith('Started')).length).toBe(webStarts);
  });

  it('the deployer killed during an activation that restarts sshd: the unit finishes, the watchdog rolls back', async () => {
    const running = await readLink(sd1, '/run/current-system');
    const bootProfile = await readLink(sd1, SYSTEM_PROFILE);
    write(sd1, '5.0', { sshdDropIn: 'sshd v5', sleepSeconds: 4 });
    ws.nx(['run', 'sd1:build']);
    const outPath = builtOutPath(ws.root, 'sd1');
    const tmp = mkdtempSync(join(tmpdir(), 'nix-fleet-sd-kill-'));
    const child: ChildProcess = spawn(process.execPath, [NX_BIN, 'run', 'sd1:deploy', '--confirmTimeout=3'], { cwd: ws.root, env: nxEnv({ TMPDIR: tmp }), stdio: 'ignore', detached: true });
    try {
      await waitFor('the activation to start', async () => (await activations(sd1)).includes(`switch ${outPath}`), 120000);
      process.kill(-child.pid!, 'SIGKILL');
      const run = await latestRun(sd1);
      await waitFor('the watchdog to decide', async () => (await exists(sd1, `${run}/decision/result`)), 60000);
      expect((await sd1.exec(['cat', `${run}/decision/by`])).trim()).toBe('watchdog');
      expect((await sd1.exec(['cat', `${run}/decision/result`])).trim()).toBe('rolled-back');
      // The activation ran to its end in its unit although sshd's restart killed every session.
      expect(await activations(sd1)).toContain(`switch ${outPath} complete`);
      expect((await sd1.exec(['cat', `${run}/activation.rc`])).trim()).toBe('0');
      // Different on purpose: the watchdog is a unit of its own, so sshd's restart left it alone.
      const token = run.split('/').pop()!;
      expect(await unitJournal(sd1, `nix-fleet-watchdog-${token}.service`)).toContain('Started');
      expect(await readLink(sd1, '/run/current-system')).toBe(running);
      expect(await readLink(sd1, SYSTEM_PROFILE)).toBe(bootProfile);
      expect(await webVersion(sd1)).toBe('2.0');
      expect(await exists(sd1, '/run/nix-fleet/deploy.lock')).toBe(false);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('an activation that ignores SIGTERM past activationTimeout is stopped with its unit before the rollback', async () => {
    const running = await readLink(sd1, '/run/current-system');
    // Longer than activationTimeout plus the unit's TimeoutStopSec (5 s) before its SIGKILL.
    write(sd1, '6.0', { sshdDropIn: 'sshd v2', ignoreTermSeconds: 15 });
    ws.nx(['run', 'sd1:build']);
    const outPath = builtOutPath(ws.root, 'sd1');
    const started = Date.now();
    const r = ws.nx(['run', 'sd1:deploy', '--activationTimeout=2'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(deployResult(ws.root, 'sd1')).toMatchObject({ status: 'rolled-back', step: 'activation' });
    const run = await latestRun(sd1);
    const token = run.split('/').pop()!;
    // Different on purpose: the stop path is systemctl stop (SIGTERM, SIGKILL after the unit's
    // TimeoutStopSec) and systemctl kill, not signals to a process group.
    expect((await sd1.exec(['sh', '-c', `systemctl is-active nix-fleet-activate-${token}.service || true`])).trim()).not.toMatch(/^(active|activating|deactivating)$/);
    expect(await readLink(sd1, '/run/current-system')).toBe(running);
    // Past the time it would have landed (15 s after it started): it never did.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 17000 - Date.now())));
    expect(await activations(sd1)).toContain(`switch ${outPath}`);
    expect(await activations(sd1)).not.toContain(`switch ${outPath} complete`);
    expect(await readLink(sd1, '/run/current-system')).toBe(running);
  });

  it('deploys as a user with sudo: copied through the nix-daemon, every privileged step through sudo', async () => {
    const since = (await sd2.exec(['date', '+%Y-%m-%d %H:%M:%S'])).trim();
    ws.nx(['run', 'sd2:deploy']);
    const outPath = builtOutPath(ws.root, 'sd2');
    expect(deployResult(ws.root, 'sd2')).toMatchObject({ status: 'deployed', copied: true });
    expect(await readLink(sd2, '/run/current-system')).toBe(outPath);
    const logins = (await sd2.journal(['-o', 'cat', '-u', 'ssh.service', '--since', since])).split('\n').filter((l) => l.startsWith('Accepted publickey'));
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.filter((l) => !l.startsWith(`Accepted publickey for ${DEPLOY_USER} `))).toEqual([]);
    // The deploy user cannot write /nix/store: the daemon (root) wrote the copied paths.
    expect((await sd2.exec(['stat', '-c', '%U', outPath])).trim()).toBe('root');
    const sudo = (await sd2.journal(['-o', 'cat', '_COMM=sudo', '--since', since])).split('\n').filter((l) => l.includes('COMMAND='));
    expect(sudo.length).toBeGreaterThan(2);
    expect(sudo.filter((l) => !(l.trim().startsWith(`${DEPLOY_USER} : `) && l.includes('USER=root')))).toEqual([]);
  });

  it('a health url served by a unit the new system started', async () => {
    expect(await webVersion(sd2)).toBe('');
    write(sd2, '2.0', {}, { ...asDeployUser, healthChecks: [{ url: webUrl, timeout: 10 }] });
    const r = ws.nx(['run', 'sd2:deploy']);
    expect(r.stdout).toContain(`health check passed: GET ${webUrl}`);
    expect(deployResult(ws.root, 'sd2')).toMatchObject({ status: 'deployed' });
    expect(await webVersion(sd2)).toBe('2.0');
  });

  it('a user without the sudo rule is refused with the line to add, before anything is copied', async () => {
    const rule = await sd2.exec(['cat', SUDOERS_FILE]);
    await sd2.exec(['rm', SUDOERS_FILE]);
    try {
      write(sd2, '3.0', {}, asDeployUser);
      ws.nx(['run', 'sd2:build']);
      const outPath = builtOutPath(ws.root, 'sd2');
      const r = ws.nx(['run', 'sd2:deploy'], { allowFailure: true });
      expect(r.status).not.toBe(0);
      const result = deployResult(ws.root, 'sd2');
      expect(result).toMatchObject({ status: 'failed', step: 'connect', copied: false });
      expect(result.message).toContain('sudo: a password is required');
      expect(result.message).toContain(`\n  ${rule.trim()}\n`);
      expect(await exists(sd2, outPath)).toBe(false);
      expect(await exists(sd2, '/run/nix-fleet/deploy.lock')).toBe(false);
    } finally {
      await sd2.exec(['sh', '-c', 'printf "%s" "$1" > "$2" && chmod 440 "$2"', 'x', rule, SUDOERS_FILE]);
    }
    // The line the refusal named is the one this host's rule had: with it back, the deploy goes through.
    ws.nx(['run', 'sd2:deploy']);
    expect(deployResult(ws.root, 'sd2')).toMatchObject({ status: 'deployed' });
    expect(await webVersion(sd2)).toBe('3.0');
  });

  it('day two as the deploy user, through sudo: plan, generations, rollback (as a transient unit), exec', async () => {
    const v3 = await readLink(sd2, '/run/current-system');
    write(sd2, '4.0', {}, asDeployUser);
    const plan = ws.nx(['run', 'sd2:deploy', '--mode=plan', '--output-style=static']);
    expect(plan.stdout + plan.stderr).toContain(`sd2: a deploy would change ${v3}`);
    expect(await readLink(sd2, '/run/current-system')).toBe(v3);
    const gens = ws.nx(['run', 'sd2:generations']);
    expect(gens.stdout).toContain('sd2: 3 generations of /nix/var/nix/profiles/system');
    const rollback = ws.nx(['run', 'sd2:rollback']);
    expect(rollback.status).toBe(0);
    expect(await webVersion(sd2)).toBe('2.0');
    // The profile switched to generation 2 (no new one): the unit got its arguments unexpanded
    // (systemd expands \${13} in a unit's command line unless every $ is doubled).
    expect((await sd2.exec(['readlink', SYSTEM_PROFILE])).trim()).toBe('system-2-link');
    expect(ws.nx(['run', 'sd2:generations']).stdout).toContain('sd2: 3 generations of /nix/var/nix/profiles/system');
    const run = await latestRun(sd2);
    expect(await exists(sd2, `${run}/activation.pid`)).toBe(false);
    expect(await unitJournal(sd2, `nix-fleet-activate-${run.split('/').pop()}.service`)).toContain('Deactivated successfully');
    const exec = ws.nx(['run', 'sd2:exec', '--command=id -u']);
    expect(exec.stdout).toContain('sd2 | 0');
  });
});
