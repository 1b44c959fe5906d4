// Bounded and stoppable deploys on real SSH test hosts: a health check that never exits, an
// activation that ignores SIGTERM, a failed redeploy after a rollback (generation numbers
// nix-env reuses), and nx killed or interrupted mid-activation. Every case runs on both kinds of
// test host (deploy-fixtures.ts HostKind), two hosts of each kind shared by the cases.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activations,
  builtOutPath,
  deployResult,
  generations,
  readLink,
  startDeployFleet,
  SYSTEM_PROFILE,
  testHostFixture,
  waitFor,
  type DeployFleet,
  type HostKind,
  type SwitchBehaviour,
} from '../../support/deploy-fixtures';
import { activationStarter } from '../../support/activation-evidence';
import { writeFixtureFleet, writeFixtureHost } from '../../support/fixture-fleet';
import type { TestHost, TestNetwork } from '../../support/test-hosts';
import { nxEnv, REPO_ROOT, type Workspace } from '../../support/workspace';

const NX_BIN = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

/** Live processes (zombies are ended) as [pid, ppid, argv]. */
function processes(): Array<{ pid: number; ppid: number; argv: string[] }> {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const [state, ppid] = readFileSync(`/proc/${p}/stat`, 'utf-8').replace(/^.*\) /, '').split(' ');
        if (state === 'Z') return [];
        return [{ pid: Number(p), ppid: Number(ppid), argv: readFileSync(`/proc/${p}/cmdline`, 'utf-8').split('\0').filter(Boolean) }];
      } catch {
        return [];
      }
    });
}

/** The live descendants of `pid`: the task process nx forked, its ssh and nix children. */
function descendants(pid: number): number[] {
  const all = processes();
  const found: number[] = [];
  const walk = (parent: number) => all.filter((p) => p.ppid === parent).forEach((p) => (found.push(p.pid), walk(p.pid)));
  walk(pid);
  return found;
}

const alive = (pid: number) => processes().some((p) => p.pid === pid);

/** Processes inside a test host's network namespace whose argv contains `text`. */
function onHost(h: TestHost, text: string): string[] {
  const here = new Set(execFileSync('ip', ['netns', 'pids', h.namespace], { encoding: 'utf-8' }).split('\n').filter(Boolean).map(Number));
  return processes()
    .filter((p) => here.has(p.pid) && p.argv.join(' ').includes(text))
    .map((p) => p.argv.join(' '));
}

describe.each<HostKind>(['namespace', 'systemd'])('deploys are bounded and stoppable (%s)', (kind) => {
  let fleet: DeployFleet | undefined;
  let net: TestNetwork;
  let ws: Workspace;
  let tmp: string;
  /** Control folders a deploy made under tmp since the test began (a failed test may leave one). */
  let stale: string[] = [];
  const allControlDirs = () => readdirSync(tmp).filter((d) => d.startsWith('nix-fleet-ssh-'));
  const controlDirs = () => allControlDirs().filter((d) => !stale.includes(d));
  beforeEach(() => (stale = tmp ? allControlDirs() : []));

  const release = (i: number, version: string, behaviour: SwitchBehaviour = {}, deployment: Record<string, unknown> = {}) => {
    const f = testHostFixture(net, net.hosts[i], version, behaviour);
    const d = (f.hostJson as { deployment: Record<string, unknown> }).deployment;
    writeFixtureHost(ws.root, { ...f, hostJson: { deployment: { ...d, ...deployment } } });
    ws.commit(`${net.hosts[i].name} ${version}`);
    ws.nx(['run', `${net.hosts[i].name}:build`]);
    return builtOutPath(ws.root, net.hosts[i].name);
  };
  /** nx in a process group of its own (as a terminal runs it), with TMPDIR=tmp for the control folder. */
  const nxAsync = (args: string[]) => {
    const child: ChildProcess = spawn(process.execPath, [NX_BIN, ...args], { cwd: ws.root, env: nxEnv({ TMPDIR: tmp }), stdio: 'pipe', detached: true });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out })));
    return { child, done, output: () => out };
  };
  /** The decision of the host's newest deploy (tokens sort by time): "by result", '' until taken. */
  const lastDecision = async (h: TestHost) =>
    (await h.exec(['sh', '-c', 'for d in /run/nix-fleet/d*; do :; done; cat "$d/decision/by" "$d/decision/result" 2>/dev/null; true'])).trim().split('\n').join(' ');
  const activationStarted = (h: TestHost, system: string) =>
    waitFor(`the activation of ${system}`, async () => (await activations(h)).includes(`switch ${system}`), 120000);

  beforeAll(async () => {
    fleet = await startDeployFleet(2, 'stop', 'nix-fleet-stop-', kind);
    ({ net, ws } = fleet);
    tmp = mkdtempSync(join(tmpdir(), 'nix-fleet-stop-tmp-'));
    writeFixtureFleet(ws.root, [testHostFixture(net, net.hosts[0], '1.0'), testHostFixture(net, net.hosts[1], '1.0')]);
    ws.commit('fleet 1.0');
    ws.nx(['run-many', '-t', 'deploy'], { env: { TMPDIR: tmp } });
  });

  afterAll(async () => {
    await fleet?.teardown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('a health check that never exits ends at its timeout: the deploy rolls back within it plus 15 s, and no sleep is left on the host', async () => {
    const h = net.hosts[0];
    const before = await readLink(h, SYSTEM_PROFILE);
    release(0, '2.0', {}, { healthChecks: [{ command: 'sleep 1000', timeout: 3 }] });
    const run = nxAsync(['run', `${h.name}:deploy`]);
    // The old runner waited for the command: give up (and fail) well after the bound.
    const bound = setTimeout(() => process.kill(-run.child.pid!, 'SIGKILL'), 90000);
    const { code, out } = await run.done;
    clearTimeout(bound);
    expect(code).not.toBe(0);
    expect(out).toContain('command "sleep 1000" did not pass within 3s');
    const result = deployResult(ws.root, h.name);
    expect(result).toMatchObject({ status: 'rolled-back', step: 'health check' });
    // The deploy as the deployer timed it, from lock to rollback.
    expect(result.durationMs).toBeLessThan((3 + 15) * 1000);
    expect(await readLink(h, '/run/current-system')).toBe(before);
    expect(onHost(h, 'sleep 1000')).toEqual([]);
    expect(controlDirs()).toEqual([]);
  });

  it('an activation that ignores SIGTERM past its timeout is killed before the rollback: profile and running system stay old', async () => {
    const h = net.hosts[0];
    const before = await readLink(h, SYSTEM_PROFILE);
    const late = release(0, '3.0', { lateSwitchSeconds: 12 });
    const r = ws.nx(['run', `${h.name}:deploy`, '--activationTimeout=3'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    // Nothing of the activation runs on: it would land at 12 s.
    await waitFor('the activation to be gone', async () => onHost(h, `${late}/bin/switch-to-configuration`).length === 0, 30000);
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(before);
    expect(await readLink(h, '/run/current-system')).toBe(before);
    expect(await activations(h)).not.toContain(`switch ${late} complete`);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'rolled-back', step: 'activation' });
    expect(r.stdout + r.stderr).toContain('did not finish within 3s (activationTimeout)');
    // Different on purpose: a systemd host stops the activation's transient unit (systemctl stop
    // sends SIGKILL after the unit's TimeoutStopSec); elsewhere the deployer signals its setsid
    // process group and says so.
    expect(await activationStarter(kind, h)).toBe(kind === 'systemd' ? 'unit' : 'setsid');
    if (kind === 'namespace') expect(r.stdout + r.stderr).toContain('ignored SIGTERM for 5s: sending SIGKILL');
    else expect(r.stdout + r.stderr).not.toContain('sending SIGKILL');
  });

  it('v1, v3, roll back to 1, v3 again with a failing health check: generation 2, which nix-env reused, stays', async () => {
    const h = net.hosts[1];
    const v1 = builtOutPath(ws.root, h.name);
    const v3 = release(1, '3.0');
    ws.nx(['run', `${h.name}:deploy`]);
    expect(await generations(h)).toEqual([`1 ${v1}`, `2 ${v3}`]);
    ws.nx(['run', `${h.name}:rollback`]);
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(v1);
    // The same system with a health check that fails: nix-env --set reuses generation 2.
    expect(release(1, '3.0', {}, { healthChecks: [{ command: 'false', timeout: 1 }] })).toBe(v3);
    const r = ws.nx(['run', `${h.name}:deploy`], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'rolled-back', step: 'health check', running: v1 });
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(v1);
    expect(await generations(h)).toEqual([`1 ${v1}`, `2 ${v3}`]);
  });

  /** Starts a slow deploy of a new version and waits until its activation runs on the host. */
  const deployUntilActivation = async (i: number, version: string) => {
    const h = net.hosts[i];
    const before = await readLink(h, SYSTEM_PROFILE);
    const system = release(i, version, { sleepSeconds: 4 });
    const run = nxAsync(['run', `${h.name}:deploy`, '--confirmTimeout=3']);
    await activationStarted(h, system);
    await waitFor('the control folder', async () => controlDirs().length > 0, 10000);
    return { h, before, run, tree: descendants(run.child.pid!) };
  };
  /** The watchdog's decision on the newest deploy: it rolled back, to the system from before. */
  const watchdogRolledBack = async (h: TestHost, before: string) => {
    await waitFor("the watchdog's decision", async () => (await lastDecision(h)).includes(' '), 60000);
    expect(await lastDecision(h)).toBe('watchdog rolled-back');
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(before);
    expect(await readLink(h, '/run/current-system')).toBe(before);
  };

  it('SIGKILL of nx mid-activation: the deployer stops too, and the watchdog returns the host to its old system', async () => {
    const { h, before, run, tree } = await deployUntilActivation(0, '4.0');
    expect(tree.length).toBeGreaterThan(0);
    process.kill(run.child.pid!, 'SIGKILL');
    await waitFor('the deployer and its ssh children to end', async () => tree.every((p) => !alive(p)), 30000);
    expect(controlDirs()).toEqual([]);
    await watchdogRolledBack(h, before);
  });

  it('SIGINT mid-activation: the deployer says it stopped, leaves no control folder, and the watchdog rolls back', async () => {
    const { h, before, run, tree } = await deployUntilActivation(1, '5.0');
    // Ctrl-C: the terminal signals the whole process group.
    process.kill(-run.child.pid!, 'SIGINT');
    await run.done;
    // The task process ends too (nx silences its own output after Ctrl-C: the result file says it).
    await waitFor('the deployer to end', async () => tree.every((p) => !alive(p)), 30000);
    expect(controlDirs()).toEqual([]);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'failed', step: 'interrupted' });
    expect(deployResult(ws.root, h.name).message).toContain(`stopped by SIGINT: the deployer stopped following ${h.name} and closed its ssh connection.`);
    await watchdogRolledBack(h, before);
  });

  it("SIGTERM during the deployer's own rollback: the rollback still ends on the host, with its result and the lock released", async () => {
    const h = net.hosts[0];
    // The system to return to switches slowly, so the stop lands inside the rollback's switch.
    const slow = release(0, '6.0', { sleepSeconds: 6 });
    ws.nx(['run', `${h.name}:deploy`]);
    const switches = async () => (await activations(h)).filter((l) => l === `switch ${slow}`).length;
    const before = await switches();
    release(0, '7.0', {}, { healthChecks: [{ command: 'false', timeout: 1 }] });
    const run = nxAsync(['run', `${h.name}:deploy`]);
    await waitFor("the deployer's rollback to switch", async () => (await switches()) > before, 120000);
    process.kill(-run.child.pid!, 'SIGTERM');
    await run.done;
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'failed', step: 'interrupted' });
    expect(deployResult(ws.root, h.name).message).toContain('It was rolling back (health check failed)');
    await waitFor('the rollback to end', async () => (await lastDecision(h)).includes(' '), 30000);
    expect(await lastDecision(h)).toBe('deployer rolled-back');
    expect(await readLink(h, '/run/current-system')).toBe(slow);
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(slow);
    expect((await h.exec(['sh', '-c', 'ls -d /run/nix-fleet/deploy.lock 2>/dev/null; true'])).trim()).toBe('');
    expect(controlDirs()).toEqual([]);
  });
});
