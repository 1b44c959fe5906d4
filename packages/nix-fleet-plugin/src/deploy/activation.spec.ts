// Activation through a fake host that checks what it is sent: the context under the lock, a
// follow over a new connection after a drop from the byte already shown, and each outcome.
import { FakeTarget, lockAnswer } from '../../testing/fake-target';
import { activate, activationOutcome } from './activation';
import { deployContext } from './deploy-steps';
import { acquireLock } from './lock';
import { deployPlan, type DeployPlan } from './options';
import { DeployStepError } from './step-error';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const plan = (over: Partial<DeployPlan> = {}): DeployPlan => ({ ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, {}, {}), ...over });
const lost = { fail: 255, stdout: 'line one\n', stderr: 'Connection to web1.lan closed by remote host.' };

async function activated(t: FakeTarget, p = plan()) {
  const state = await acquireLock(t, p, 'token=dtok1 by me@here pid 1 since now');
  const ctx = deployContext(p, 'dtok1', NEW, state, '');
  const lines: string[] = [];
  const run = activate(t, p, ctx, (l) => lines.push(l));
  return { run, lines, ctx };
}

describe('activation', () => {
  it.each([
    ['nix-fleet-activation=0\n', '0'],
    ['out\nnix-fleet-activation=running\n', 'running'],
    ['nix-fleet-activation=missing', 'missing'],
    ['no marker', undefined],
  ])('reads the follower marker from %j', (stdout, outcome) => expect(activationOutcome(stdout)).toBe(outcome));

  it('sends the state the lock read (the profile link, not generation N-1) and shows the output without the marker', async () => {
    const t = new FakeTarget().on('activate', { stdout: 'starting sshd\nnix-fleet-activation=0\n' });
    const { run, lines } = await activated(t);
    await run;
    expect(t.contexts[0].ctx).toMatchObject({ mode: 'switch', outPath: NEW, previousProfileLink: 'system-41-link', maxGeneration: '43', runDir: `${plan().stateDir}/dtok1` });
    expect(lines).toEqual(['  | starting sshd']);
  });

  it('boot mode activates for boot: the mode and the profile to set reach the target', async () => {
    const t = new FakeTarget().on('activate', { stdout: 'nix-fleet-activation=0\n' });
    await (await activated(t, plan({ mode: 'boot' }))).run;
    expect(t.contexts[0].ctx).toMatchObject({ mode: 'boot', setProfile: '1' });
    const test = new FakeTarget().on('activate', { stdout: 'nix-fleet-activation=0\n' });
    await (await activated(test, plan({ mode: 'test' }))).run;
    expect(test.contexts[0].ctx).toMatchObject({ mode: 'test', setProfile: '0' });
  });

  it('after a lost connection follows the same run over a new one, from the byte already shown', async () => {
    const t = new FakeTarget().on('activate', lost).on('follow', { stdout: 'nix-fleet-activation=0\n' });
    const { run, lines } = await activated(t);
    await run;
    expect(t.calls).toEqual(['lock', 'activate', 'follow']);
    const follow = t.argvs[2];
    // The byte count may be a bare word or a name=value word.
    expect(follow.some((w) => w.replace(/^[a-z_]+=/, '') === String(Buffer.byteLength(lost.stdout)))).toBe(true);
    expect(follow.some((w) => w.endsWith('/dtok1'))).toBe(true);
    expect(lines.join('\n')).toContain('connection lost during activation (');
  });

  it.each([
    ['running', 'did not finish within 600s (activationTimeout)'],
    ['missing', 'the activation never started on web1'],
    ['4', 'switch-to-configuration switch failed (exit 4)'],
  ])('outcome %s is an activation failure', async (outcome, message) => {
    const t = new FakeTarget().on('activate', { stdout: `nix-fleet-activation=${outcome}\n` });
    const { run } = await activated(t);
    await expect(run).rejects.toThrow(message);
    await expect(run).rejects.toBeInstanceOf(DeployStepError);
  });

  it('a host that answers with another error is not retried', async () => {
    const t = new FakeTarget().on('activate', { fail: 1, stderr: 'sh: permission denied' });
    const { run } = await activated(t);
    await expect(run).rejects.toThrow('could not run the activation on web1: sh: permission denied');
    expect(t.calls).toEqual(['lock', 'activate']);
  });

  it('a lock answer where current and profile differ reaches the activation as it was read', async () => {
    const t = new FakeTarget({ lock: lockAnswer({ profileLink: 'system-7-link', maxGeneration: '9' }) }).on('activate', { stdout: 'nix-fleet-activation=0\n' });
    await (await activated(t)).run;
    expect(t.contexts[0].ctx).toMatchObject({ previousProfileLink: 'system-7-link', maxGeneration: '9' });
  });
});
