// Rolling back through a fake host that checks what it is sent: back to the generation recorded
// under the lock (never N-1), judged by what the host runs afterwards, the watchdog's decision
// read when it came first, and an unreachable host reported as such.
import { FakeTarget, FAKE_CURRENT, FAKE_PROFILE } from '../../testing/fake-target';
import { deployContext } from './deploy-steps';
import { acquireLock } from './lock';
import { deployPlan, type DeployPlan } from './options';
import { rollBack, rollbackOutcome, rollbackTarget } from './rollback';
import { DeployStepError } from './step-error';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const plan = (over: Partial<DeployPlan> = {}): DeployPlan => ({ ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { confirmTimeout: 1 }, {}), ...over });
const failure = new DeployStepError('health check', 'GET http://127.0.0.1/ did not pass');

async function rolledBack(t: FakeTarget, p = plan(), watchdogAt?: number) {
  const state = await acquireLock(t, p, 'token=dtok2 by me@here pid 1 since now');
  const ctx = deployContext(p, 'dtok2', NEW, state, '');
  return { outcome: await rollBack(t, p, ctx, failure, watchdogAt, () => undefined), ctx };
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
