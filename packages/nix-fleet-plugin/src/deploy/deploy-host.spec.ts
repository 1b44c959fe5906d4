// The deploy sequence, driven through a fake host: which steps run, in which order, and what
// the result says, for each way a deploy can go.
import { FakeTarget, FAKE_CURRENT, FAKE_PROFILE } from '../../testing/fake-target';
import { activation, hostPlan as plan, lost, NEW, OLD, OTHER, running } from '../../testing/deploy-host-fixtures';
import { deployHost } from './deploy-host';
import type { DeployPlan } from './options';

async function deploy(t: FakeTarget, p = plan()) {
  const lines: string[] = [];
  const result = await deployHost(p, NEW, (l) => lines.push(l), t);
  expect(t.violations).toEqual([]);
  return { result, lines };
}

describe('deployHost', () => {
  it('deploys: vets ssh, locks, copies, activates detached, confirms; the confirmation releases the lock', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0'), commit: { stdout: `running=${NEW}\n` } });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'commit']);
    expect(result).toMatchObject({ status: 'deployed', previous: OLD, running: NEW, copied: true });
  });

  it('shares a connection for lock, activation, follow and health checks; the probe, the confirmation and the rollback log in anew', async () => {
    const healthy = plan({ healthChecks: [{ command: 'true', timeout: 2 }] });
    const ok = new FakeTarget({ lock: running(OLD), commit: { stdout: `running=${NEW}\n` } }).on('activate', lost).on('follow', activation('0'));
    await deploy(ok, healthy);
    expect(ok.connections).toEqual(['lock', 'activate', 'follow', 'probe+fresh', 'health', 'commit+fresh']);
    const failed = new FakeTarget({ lock: running(OLD), activate: activation('1'), rollback: { stdout: `running=${OLD}\n` } });
    await deploy(failed);
    expect(failed.connections).toEqual(['lock', 'activate', 'rollback+fresh']);
  });

  it('a host that runs another system after a confirmed activation was not deployed', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0'), commit: { stdout: `running=${OTHER}\n` } });
    const { result } = await deploy(t);
    expect(result).toMatchObject({ status: 'failed', step: 'confirm', running: OTHER });
    expect(result.message).toBe(`activated and confirmed, but web1 runs ${OTHER}, not ${NEW}.`);
  });

  it('leaves a host that runs the system unchanged, copies nothing and unlocks', async () => {
    const t = new FakeTarget({ lock: running(NEW) });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'unlock']);
    expect(result).toMatchObject({ status: 'unchanged', copied: false });
  });

  it('deploys it again with --force', async () => {
    const t = new FakeTarget({ lock: running(NEW), activate: activation('0'), commit: { stdout: `running=${NEW}\n` } });
    const { result } = await deploy(t, plan({ force: true }));
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'commit']);
    expect(result.status).toBe('deployed');
  });

  it('for boot, compares with the profile, not the running system', async () => {
    const t = new FakeTarget({ lock: { stdout: `current=${OLD}\nprofile=${NEW}\nprofile-link=system-4-link\n` } });
    expect((await deploy(t, plan({ mode: 'boot' }))).result.status).toBe('unchanged');
  });

  it('refuses an ssh config without host key checks before connecting', async () => {
    const t = new FakeTarget().on('host-keys', { fail: 1, stderr: 'ssh to web1.lan would not check its host key' });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys']);
    expect(result).toMatchObject({ status: 'failed', step: 'connect', copied: false });
  });

  it('stops at a held lock: nothing copied, the other deploy\'s lock left alone', async () => {
    const t = new FakeTarget().on('lock', { fail: 75, stdout: 'locked-by=token=d1 by alice@laptop pid 7 since x\n' });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock']);
    expect(result).toMatchObject({ status: 'failed', step: 'lock' });
    expect(result.message).toContain('held by alice@laptop pid 7 since x');
  });

  it('a failed copy changes nothing and releases the lock', async () => {
    const t = new FakeTarget({ lock: running(OLD) }).on('copy', { fail: 1, stderr: 'error: cannot add path: disk full' });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'unlock']);
    expect(result).toMatchObject({ status: 'failed', step: 'copy', copied: false });
    expect(result.message).toContain('disk full');
  });

  it('a failed activation is rolled back by the deployer, judged by what runs afterwards', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1'), rollback: { stdout: `nix-fleet: returning to ${OLD} (switch)\nrunning=${OLD}\n` } });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'rollback']);
    expect(result).toMatchObject({ status: 'rolled-back', step: 'activation', rolledBackBy: 'deployer', previous: OLD, running: OLD });
    expect(result.message).toContain(`The deployer rolled back to ${OLD}, the system that ran before this deploy.`);
  });

  it('a rollback that leaves another system running is a failure, not a rollback', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1'), rollback: { stdout: `running=${OTHER}\n` } });
    const { result } = await deploy(t);
    expect(result).toMatchObject({ status: 'failed', running: OTHER });
    expect(result.message).toContain(`the host runs ${OTHER}, not ${OLD} as before the deploy`);
  });

  it('without --rollback a failed activation is left as it is, and the lock released', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1') });
    const { result } = await deploy(t, plan({ rollback: false }));
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'unlock']);
    expect(result).toMatchObject({ status: 'failed', step: 'activation' });
  });

  it('follows the activation again over a new connection when the first one drops', async () => {
    const t = new FakeTarget({ lock: running(OLD), commit: { stdout: `running=${NEW}\n` } })
      .on('activate', { ...lost, stdout: 'step 1\n' })
      .on('follow', lost, activation('0'));
    const { result, lines } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'follow', 'follow', 'commit']);
    expect(result.status).toBe('deployed');
    expect(lines.join('\n')).toContain('connection lost during activation');
  });

  it('reports the watchdog\'s decision when it rolled back before the confirmation came', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0') }).on('commit', {
      fail: 76,
      stdout: `decided-by=watchdog\nresult=rolled-back\nrunning=${OLD}\n`,
    });
    const { result } = await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'commit']);
    expect(result).toMatchObject({ status: 'rolled-back', rolledBackBy: 'watchdog', step: 'confirm', running: OLD });
  });

  it('a failed health check rolls back; the checks run after a fresh connection succeeds', async () => {
    const p = plan({ healthChecks: [{ command: 'systemctl is-active nginx', timeout: 1 }] });
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0'), health: { fail: 3, stderr: 'inactive' }, rollback: { stdout: `running=${OLD}\n` } });
    const { result } = await deploy(t, p);
    expect(t.calls.filter((c) => c !== 'health')).toEqual(['host-keys', 'lock', 'copy', 'activate', 'probe', 'rollback']);
    expect(result).toMatchObject({ status: 'rolled-back', step: 'health check' });
    expect(result.message).toContain('command "systemctl is-active nginx" did not pass within 1s');
  });

  it('dry-activate never rolls back and never confirms', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0') });
    const { result } = await deploy(t, plan({ mode: 'dry-activate' }));
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'unlock']);
    expect(result.status).toBe('dry-activated');
  });
});

describe('deployHost stopped from outside', () => {
  it.each([
    ['activate', ['host-keys', 'lock', 'copy', 'activate'], "the target's watchdog rolls back to"],
    ['health', ['host-keys', 'lock', 'copy', 'activate', 'probe', 'health'], "the target's watchdog rolls back to"],
    ['copy', ['host-keys', 'lock', 'copy'], 'Nothing was activated. The lock /run/nix-fleet/deploy.lock on web1.lan stays'],
  ] as const)('during %s: no rollback, no unlock, no retry; the watchdog decides', async (step, calls, says) => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0') }).stopAt(step, 'SIGTERM');
    const { result } = await deploy(t, plan({ healthChecks: [{ command: 'true', timeout: 5 }] }));
    expect(t.calls).toEqual(calls);
    expect(result).toMatchObject({ status: 'failed', step: 'interrupted' });
    expect(result.message).toContain('stopped by SIGTERM: the deployer stopped following web1 and closed its ssh connection.');
    expect(result.message).toContain(says);
  });
});

describe('deployHost on a host whose running system, profile and profile link all differ', () => {
  const done = { activate: activation('0') };
  const deployOf = async (system: string, mode: DeployPlan['mode']) => {
    const t = new FakeTarget({ ...done, lock: { stdout: `current=${FAKE_CURRENT}\nprofile=${FAKE_PROFILE}\nprofile-link=system-41-link\ngeneration-max=43\n` }, commit: { stdout: `running=${system}\n` } });
    const result = await deployHost(plan({ mode }), system, () => undefined, t);
    expect(t.violations).toEqual([]);
    return { t, result };
  };

  it("boot: the profile's system is unchanged, the running one is not; it boots, never switches or confirms", async () => {
    expect((await deployOf(FAKE_PROFILE, 'boot')).result.status).toBe('unchanged');
    const { t, result } = await deployOf(FAKE_CURRENT, 'boot');
    expect(result).toMatchObject({ status: 'deployed', previous: FAKE_CURRENT });
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'unlock']);
    expect(t.contexts.map((c) => c.ctx.mode)).toEqual(['boot']);
  });

  it("switch: the running system is unchanged, the profile's is not; the rollback context names generation 41 of 43", async () => {
    expect((await deployOf(FAKE_CURRENT, 'switch')).result.status).toBe('unchanged');
    const { t, result } = await deployOf(FAKE_PROFILE, 'switch');
    expect(result).toMatchObject({ status: 'deployed', previous: FAKE_CURRENT, running: FAKE_PROFILE });
    expect(t.contexts.map((c) => [c.step, c.ctx.mode, c.ctx.previousProfileLink, c.ctx.maxGeneration])).toEqual([
      ['activate', 'switch', 'system-41-link', '43'],
      ['commit', 'switch', 'system-41-link', '43'],
    ]);
  });

  it('a failed activation rolls back with the same context the activation had', async () => {
    const t = new FakeTarget({ activate: activation('1'), rollback: { stdout: `running=${FAKE_CURRENT}\n` } });
    const result = await deployHost(plan(), NEW, () => undefined, t);
    expect(result).toMatchObject({ status: 'rolled-back', rolledBackBy: 'deployer', running: FAKE_CURRENT });
    expect(t.contexts.map((c) => c.step)).toEqual(['activate', 'rollback']);
  });
});
