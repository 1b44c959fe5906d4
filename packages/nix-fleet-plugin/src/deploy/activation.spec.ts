// Activation through a fake host that checks what it is sent: the context under the lock, a
// follow over a new connection after a drop from the byte already shown, and each outcome.
import { FakeTarget, lockAnswer } from '../../testing/fake-target';
import { activate, activationOutcome } from './activation';
import { deployContext } from './deploy-steps';
import { acquireLock } from './lock';
import { deployPlan, type DeployPlan } from './options';
import { DeployStepError } from './step-error';
import type { ExecOptions } from './target';

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

describe('activation, what a failure says', () => {
  const failure = async (t: FakeTarget, p = plan()) => (await activated(t, p)).run.then(() => undefined, (e: unknown) => e as DeployStepError);

  it.each([
    ['running', 'switch-to-configuration switch did not finish within 600s (activationTimeout).'],
    ['missing', 'the activation never started on web1.'],
  ])('outcome %s: the activation step, and why', async (outcome, message) => {
    const e = await failure(new FakeTarget().on('activate', { stdout: `nix-fleet-activation=${outcome}\n` }));
    expect(e).toMatchObject({ name: 'DeployStepError', step: 'activation', message, connectionLost: false });
  });

  it('a failed switch shows its last 8 lines of output, trimmed, without the marker', async () => {
    const out = Array.from({ length: 10 }, (_, i) => `unit ${i} failed`).join('\n');
    const e = await failure(new FakeTarget().on('activate', { stdout: `${out}\n  \nnix-fleet-activation=4\n\n` }));
    expect(e!.message).toBe(`switch-to-configuration switch failed (exit 4):\n${['2', '3', '4', '5', '6', '7', '8', '9'].map((i) => `unit ${i} failed`).join('\n')}`);
    expect(e!.step).toBe('activation');
  });

  it('a switch that ended with no output and no marker says so', async () => {
    expect((await failure(new FakeTarget().on('activate', { stdout: '' })))!.message).toBe('switch-to-configuration switch failed (exit unknown)');
  });

  it('an activation that never started after a lost connection names the loss; blank lines are not shown', async () => {
    const t = new FakeTarget().on('activate', lost).on('follow', { stdout: 'waiting\n   \nnix-fleet-activation=missing\n' });
    const { run, lines } = await activated(t);
    const e = await run.then(() => undefined, (err: unknown) => err as DeployStepError);
    expect(e!.message).toBe('the activation never started on web1 (the connection was lost while starting it: line one\nConnection to web1.lan closed by remote host.).');
    expect(lines).toEqual(['  connection lost during activation (line one); it goes on detached on web1: following it over a new connection', '  | waiting']);
  });

  it('a connection not regained within the activation timeout is a lost connection, not a failed switch', async () => {
    const e = await failure(new FakeTarget().on('activate', lost), plan({ activationTimeout: 0.5 }));
    expect(e).toMatchObject({ step: 'activation', connectionLost: true });
    expect(e!.message).toBe(
      'the connection to web1.lan was lost during switch-to-configuration switch and not regained within 0.5s: line one\nConnection to web1.lan closed by remote host.',
    );
  });

  it('follows for the time left of the activation timeout, and waits for ssh a little longer than that', async () => {
    const t = new FakeTarget().on('activate', { stdout: 'nix-fleet-activation=0\n' });
    const seen: ExecOptions[] = [];
    const exec = t.exec.bind(t);
    t.exec = (argv, opts) => (seen.push(opts), exec(argv, opts));
    await (await activated(t, plan({ activationTimeout: 600 }))).run;
    const follow = Number(t.argvs[1].find((w) => w.startsWith('follow_seconds='))!.split('=')[1]);
    expect(follow === 599 || follow === 600).toBe(true);
    const connect = plan().target.connectTimeout;
    expect(seen[1].timeoutMs).toBeGreaterThan((follow + connect) * 1000);
    expect(seen[1].timeoutMs).toBeLessThanOrEqual((follow + connect + 60) * 1000);
  });
});
