// Confirmation through a fake host: a new connection each time, retried while the host is
// unreachable, the watchdog's decision taken when it came first, other errors not retried.
import { CommandError } from '../process/run';
import { FakeTarget } from '../../testing/fake-target';
import { commit, decisionOf, DECIDED_EXIT, freshConnection } from './confirm';
import { deployContext } from './deploy-steps';
import { acquireLock } from './lock';
import { deployPlan, type DeployPlan } from './options';
import type { ExecOptions } from './target';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const plan = (): DeployPlan => deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { confirmTimeout: 3 }, {});
const lost = { fail: 255, stderr: 'Connection refused' };

async function committed(t: FakeTarget, deadline = Date.now() + 3000) {
  const p = plan();
  const ctx = deployContext(p, 'dtok3', NEW, await acquireLock(t, p, 'token=dtok3 by me@here pid 1 since now'), '');
  return commit(t, p, ctx, deadline);
}

describe('confirmation', () => {
  it('reads a decision only from exit 76', () => {
    const out = 'decided-by=watchdog\nresult=rolled-back\nrunning=/nix/store/x\n';
    expect(decisionOf(new CommandError('ssh', [], DECIDED_EXIT, null, out, '', false))).toEqual({ by: 'watchdog', result: 'rolled-back', running: '/nix/store/x' });
    expect(decisionOf(new CommandError('ssh', [], 1, null, out, '', false))).toBeUndefined();
    expect(decisionOf(new Error('x'))).toBeUndefined();
  });

  it('commits over a new connection with the deploy\'s context and reads back what runs', async () => {
    const t = new FakeTarget().on('commit', { stdout: `running=${NEW}\n` });
    expect(await committed(t)).toEqual({ running: NEW });
    expect(t.connections).toEqual(['lock', 'commit+fresh']);
    expect(t.contexts[0].ctx).toMatchObject({ outPath: NEW, previousProfileLink: 'system-41-link', maxGeneration: '43' });
  });

  it('retries the commit while the host is unreachable', async () => {
    const t = new FakeTarget().on('commit', lost, { stdout: `running=${NEW}\n` });
    expect(await committed(t)).toEqual({ running: NEW });
    expect(t.calls).toEqual(['lock', 'commit', 'commit']);
  });

  it('returns the watchdog\'s decision when it came first', async () => {
    const t = new FakeTarget().on('commit', { fail: 76, stdout: 'decided-by=watchdog\nresult=rolled-back\nrunning=/nix/store/old\n' });
    expect(await committed(t)).toEqual({ by: 'watchdog', result: 'rolled-back', running: '/nix/store/old' });
  });

  it('a commit the host refuses is not retried; an unreachable one ends at the deadline', async () => {
    const refused = new FakeTarget().on('commit', { fail: 2, stderr: 'no such run' });
    await expect(committed(refused)).rejects.toThrow('could not record the confirmation on web1: no such run');
    expect(refused.calls).toEqual(['lock', 'commit']);
    const gone = new FakeTarget().on('commit', lost, lost, lost, lost);
    await expect(committed(gone, Date.now() + 500)).rejects.toThrow('no new ssh connection to web1.lan within 3s after activation: Connection refused');
  });

  it('the probe makes a new connection, retried until it works', async () => {
    const t = new FakeTarget().on('probe', lost, { stdout: `${NEW}\n` });
    expect(await freshConnection(t, plan(), Date.now() + 3000)).toBe(NEW);
    expect(t.connections).toEqual(['probe+fresh', 'probe+fresh']);
  });
});

describe('confirmation, its failures and bounds', () => {
  const caught = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as Record<string, unknown>);
  const recording = (t: FakeTarget) => {
    const seen: ExecOptions[] = [];
    const exec = t.exec.bind(t);
    t.exec = (argv, opts) => (seen.push(opts), exec(argv, opts));
    return seen;
  };

  it('a decision with fields missing reads as unknown, running nothing known', () => {
    expect(decisionOf(new CommandError('ssh', [], DECIDED_EXIT, null, '', '', false))).toEqual({ by: 'unknown', result: 'unknown', running: '' });
  });

  it('a commit that reads back no running system says so with an empty one', async () => {
    expect(await committed(new FakeTarget().on('commit', { stdout: 'committed\n' }))).toEqual({ running: '' });
  });

  it('failures are the confirm step; only an unreachable host is a lost connection', async () => {
    expect(await caught(committed(new FakeTarget().on('commit', { fail: 2, stderr: 'no such run' })))).toMatchObject({ step: 'confirm', connectionLost: false });
    const gone = await caught(committed(new FakeTarget().on('commit', lost), Date.now() + 200));
    expect(gone).toMatchObject({ step: 'confirm', connectionLost: true });
  });

  it('a probe the host answers with an error is not retried', async () => {
    const t = new FakeTarget().on('probe', { fail: 1, stderr: 'readlink: permission denied' });
    expect(await caught(freshConnection(t, plan(), Date.now() + 3000))).toMatchObject({
      step: 'confirm',
      connectionLost: false,
      message: 'the confirmation command failed on web1: readlink: permission denied',
    });
    expect(t.calls).toEqual(['probe']);
  });

  it('a probe that never connects is a lost connection', async () => {
    const e = await caught(freshConnection(new FakeTarget().on('probe', lost), plan(), Date.now() + 200));
    expect(e).toMatchObject({ step: 'confirm', connectionLost: true, message: 'no new ssh connection to web1.lan within 3s after activation: Connection refused' });
  });

  it('the probe gets the time left, at least a second', async () => {
    const t = new FakeTarget();
    const seen = recording(t);
    await freshConnection(t, plan(), Date.now() + 3000);
    await freshConnection(t, plan(), Date.now() - 5000);
    expect(seen[0].timeoutMs).toBeGreaterThan(2000);
    expect(seen[0].timeoutMs).toBeLessThanOrEqual(3000);
    expect(seen[1].timeoutMs).toBe(1000);
  });

  it("the commit gets the time left, and never less than ssh's connect timeout", async () => {
    const t = new FakeTarget().on('commit', { stdout: 'running=x\n' }, { stdout: 'running=x\n' });
    const seen = recording(t);
    await committed(t, Date.now() + 60000);
    await committed(t, Date.now() - 5000);
    const [far, late] = seen.filter((_, i) => t.calls[i] === 'commit');
    expect(far.timeoutMs).toBeGreaterThan(59000);
    expect(far.timeoutMs).toBeLessThanOrEqual(60000);
    const connect = plan().target.connectTimeout * 1000;
    expect(late.timeoutMs).toBeGreaterThan(connect);
    expect(late.timeoutMs).toBeLessThanOrEqual(connect + 60000);
  });
});
