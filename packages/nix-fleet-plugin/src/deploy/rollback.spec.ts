// Rolling back through a fake host that checks what it is sent: back to the generation recorded
// under the lock (never N-1), judged by what the host runs afterwards, the watchdog's decision
// read when it came first, and an unreachable host reported as such.
import { FakeTarget, FAKE_CURRENT, FAKE_PROFILE, lockAnswer } from '../../testing/fake-target';
import { deployContext } from './deploy-steps';
import { acquireLock } from './lock';
import { deployPlan, type DeployPlan } from './options';
import { rollBack, rollbackOutcome, rollbackTarget } from './rollback';
import { STOP_WAIT_SECONDS } from './remote-functions';
import { DeployStepError } from './step-error';
import type { ExecOptions } from './target';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const plan = (over: Partial<DeployPlan> = {}): DeployPlan => ({ ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { confirmTimeout: 1 }, {}), ...over });
const failure = new DeployStepError('health check', 'GET http://127.0.0.1/ did not pass');

async function rolledBack(t: FakeTarget, p = plan(), watchdogAt?: number) {
  const state = await acquireLock(t, p, 'token=dtok2 by me@here pid 1 since now');
  const ctx = deployContext(p, 'dtok2', NEW, state, '');
  const lines: string[] = [];
  return { outcome: await rollBack(t, p, ctx, failure, watchdogAt, (l) => lines.push(l)), ctx, lines };
}

describe('rollback', () => {
  it('returns to the running system for switch and to the profile for boot', () => {
    const ctx = { previousCurrent: FAKE_CURRENT, previousProfile: FAKE_PROFILE };
    expect(rollbackTarget({ ...ctx, mode: 'switch' } as never)).toBe(FAKE_CURRENT);
    expect(rollbackTarget({ ...ctx, mode: 'boot' } as never)).toBe(FAKE_PROFILE);
  });

  it('sends the recorded profile link and highest generation, over a new connection, and reads back what runs', async () => {
    const t = new FakeTarget().on('rollback', { stdout: `running=${FAKE_CURRENT}\n` });
    const { outcome } = await rolledBack(t);
    expect(t.connections).toEqual(['lock', 'rollback+fresh']);
    expect(t.contexts[0].ctx).toMatchObject({ previousProfileLink: 'system-41-link', maxGeneration: '43', previousCurrent: FAKE_CURRENT, previousProfile: FAKE_PROFILE });
    expect(outcome).toMatchObject({ status: 'rolled-back', rolledBackBy: 'deployer', running: FAKE_CURRENT });
    expect(outcome.message).toBe(`health check failed: GET http://127.0.0.1/ did not pass\nThe deployer rolled back to ${FAKE_CURRENT}, the system that ran before this deploy.`);
  });

  it('a host that runs another system afterwards (the profile\'s, say) was not rolled back', async () => {
    const t = new FakeTarget().on('rollback', { stdout: `running=${FAKE_PROFILE}\n` });
    const { outcome } = await rolledBack(t);
    expect(outcome).toMatchObject({ status: 'failed', running: FAKE_PROFILE });
    expect(outcome.message).toContain(`the host runs ${FAKE_PROFILE}, not ${FAKE_CURRENT} as before the deploy`);
  });

  it('boot: judged by the profile, whatever runs', () => {
    const ctx = { previousCurrent: FAKE_CURRENT, previousProfile: FAKE_PROFILE, mode: 'boot', switchGeneration: '' } as never;
    expect(rollbackOutcome(ctx, true, FAKE_CURRENT, 'The deployer')).toMatchObject({ status: 'rolled-back', message: `The deployer rolled back to ${FAKE_PROFILE}, the system that ran before this deploy.` });
    expect(rollbackOutcome(ctx, false, FAKE_CURRENT, 'The deployer')).toMatchObject({ status: 'failed', message: `The deployer could not roll back; its profile is ${FAKE_PROFILE}.` });
  });

  it('the watchdog decided first: its decision and what runs are reported', async () => {
    const t = new FakeTarget().on('rollback', { fail: 76, stdout: `decided-by=watchdog\nresult=rolled-back\nrunning=${FAKE_CURRENT}\n` });
    const { outcome } = await rolledBack(t);
    expect(outcome).toMatchObject({ status: 'rolled-back', rolledBackBy: 'watchdog', running: FAKE_CURRENT });
    expect(outcome.message).toContain("The target's watchdog, on its own, rolled back");
  });

  it('a rollback script that fails is a failed deploy with its words', async () => {
    const t = new FakeTarget().on('rollback', { fail: 1, stderr: 'nix-env: profile locked' });
    expect((await rolledBack(t)).outcome).toMatchObject({ status: 'failed', message: 'health check failed: GET http://127.0.0.1/ did not pass\nRollback failed too: nix-env: profile locked' });
  });

  it('an unreachable host: retried until the deadline, then the watchdog is named (or the way back by hand)', async () => {
    const lost = { fail: 255, stderr: 'ssh: connect to host web1.lan port 22: No route to host' };
    const armed = new FakeTarget().on('rollback', lost, lost, lost);
    const { outcome } = await rolledBack(armed, plan({ confirmTimeout: 2.5 }), Date.now());
    expect(armed.calls.filter((c) => c === 'rollback').length).toBeGreaterThan(1);
    expect(outcome.message).toContain("web1.lan is unreachable (ssh: connect to host web1.lan port 22: No route to host). The target's watchdog rolls back on its own 2.5s after activation");
    const unarmed = new FakeTarget().on('rollback', lost, lost, lost);
    expect((await rolledBack(unarmed, plan(), undefined)).outcome.message).toContain(`No watchdog was armed: return the host by hand to ${FAKE_CURRENT}`);
  });
});

describe('rollback, what it says', () => {
  const lost = { fail: 255, stderr: 'Connection refused' };
  const switchCtx = { previousCurrent: FAKE_CURRENT, previousProfile: FAKE_PROFILE, mode: 'switch', switchGeneration: '' } as never;

  it('a failed rollback names what runs, or that nobody knows', () => {
    expect(rollbackOutcome(switchCtx, false, FAKE_PROFILE, 'The deployer').message).toBe(`The deployer could not roll back; it runs ${FAKE_PROFILE}.`);
    expect(rollbackOutcome(switchCtx, false, '', 'The deployer').message).toBe('The deployer could not roll back; it runs an unknown system.');
    expect(rollbackOutcome(switchCtx, true, '', 'The deployer')).toMatchObject({
      status: 'failed',
      message: `The deployer rolled back, but the host runs an unknown system, not ${FAKE_CURRENT} as before the deploy.`,
    });
  });

  it('logs the rollback and its output, each line marked', async () => {
    const t = new FakeTarget().on('rollback', { stdout: `nix-fleet: returning to ${FAKE_CURRENT} (switch)\nrunning=${FAKE_CURRENT}\n\n` });
    const { lines } = await rolledBack(t);
    expect(lines).toEqual(['  rolling back web1 (health check failed)', `  | nix-fleet: returning to ${FAKE_CURRENT} (switch)\n  | running=${FAKE_CURRENT}`]);
    const quiet = await rolledBack(new FakeTarget().on('rollback', { stdout: '' }));
    expect(quiet.lines).toEqual(['  rolling back web1 (health check failed)']);
    expect(quiet.outcome).toMatchObject({ status: 'failed', running: '' });
  });

  it.each([
    ['deployer', 'rolled-back', 'rolled-back', 'deployer', 'The deployer rolled back to'],
    ['watchdog', 'failed', 'failed', 'watchdog', "The target's watchdog, on its own, could not roll back; it runs"],
  ])('a decision by the %s with result %s is reported as such', async (by, result, status, rolledBackBy, says) => {
    const t = new FakeTarget().on('rollback', { fail: 76, stdout: `decided-by=${by}\nresult=${result}\nrunning=${FAKE_CURRENT}\n` });
    const { outcome } = await rolledBack(t);
    expect(outcome).toMatchObject({ status, rolledBackBy });
    expect(outcome.message).toContain(`\n${says}`);
  });

  it('without a watchdog and nothing recorded to return to, names the way back by hand', async () => {
    const t = new FakeTarget({ lock: lockAnswer({ current: '' }) }).on('rollback', lost);
    const { outcome } = await rolledBack(t, plan({ confirmTimeout: 0.5 }), undefined);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('No watchdog was armed: return the host by hand to its previous system (nix-env -p /nix/var/nix/profiles/system --switch-generation N');
  });

  it('keeps trying until the confirm timeout after the watchdog would have decided', async () => {
    const t = new FakeTarget().on('rollback', lost, lost, lost);
    await rolledBack(t, plan({ confirmTimeout: 0.5 }), Date.now() + 1500);
    expect(t.calls.filter((c) => c === 'rollback').length).toBeGreaterThanOrEqual(2);
  });

  it('gives the rollback the activation timeout, the time to stop an activation, and some', async () => {
    const t = new FakeTarget().on('rollback', { stdout: `running=${FAKE_CURRENT}\n` });
    const seen: ExecOptions[] = [];
    const exec = t.exec.bind(t);
    t.exec = (argv, opts) => (seen.push(opts), exec(argv, opts));
    await rolledBack(t, plan({ activationTimeout: 100 }));
    const ms = seen[1].timeoutMs;
    expect(ms).toBeGreaterThan((100 + STOP_WAIT_SECONDS) * 1000);
    expect(ms).toBeLessThanOrEqual((100 + STOP_WAIT_SECONDS + 60) * 1000);
  });
});
