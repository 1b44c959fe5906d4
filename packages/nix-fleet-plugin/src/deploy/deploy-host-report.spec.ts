// What one host's deploy tells: its log, its result (what ran before, how long it took), and
// the lock left or released, for the ways a deploy ends that deploy-host.spec.ts does not read.
import { FakeTarget } from '../../testing/fake-target';
import { activation, hostPlan as plan, lost, NEW, OLD, OTHER, running } from '../../testing/deploy-host-fixtures';
import { deployHost, newToken } from './deploy-host';
import type { Target } from './target';

/** The same host seen as a Target with no stop signal (a caller that never stops it). */
const unstoppable = (t: FakeTarget): Target => ({ exec: (a, o) => t.exec(a, o), copy: (p) => t.copy(p), checkHostKeys: () => t.checkHostKeys() });

async function deploy(t: FakeTarget, p = plan(), target: Target = t) {
  const lines: string[] = [];
  const started = Date.now();
  const result = await deployHost(p, NEW, (l) => lines.push(l), target);
  expect(t.violations).toEqual([]);
  return { result, lines, elapsed: Date.now() - started };
}

describe('deployHost, what it logs and reports', () => {
  it('logs each step of a deploy, and times it', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0'), commit: { stdout: `running=${NEW}\n` } });
    const { result, lines, elapsed } = await deploy(t);
    expect(lines.filter((l) => l.startsWith('web1: '))).toEqual([
      'web1: locking web1.lan',
      `web1: copying ${NEW}`,
      'web1: switch-to-configuration switch (watchdog: rollback unless confirmed within 2s)',
      'web1: confirming over a new ssh connection',
      'web1: deployed',
    ]);
    expect(result).toMatchObject({ host: 'web1', mode: 'switch', outPath: NEW });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.durationMs).toBeLessThanOrEqual(elapsed);
    expect(Math.abs(result.finishedAt - Date.now())).toBeLessThan(5000);
  });

  it('says when a host is unchanged, and names no watchdog when none is armed', async () => {
    expect((await deploy(new FakeTarget({ lock: running(NEW) }))).lines).toEqual([`web1: locking web1.lan`, `web1: unchanged (${NEW})`]);
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0'), commit: { stdout: `running=${NEW}\n` } });
    expect((await deploy(t, plan({ rollback: false }))).lines).toContain('web1: switch-to-configuration switch');
  });

  it('a failed copy and a stop during the lock report what ran before, when the lock read it', async () => {
    const copy = new FakeTarget({ lock: running(OLD) }).on('copy', { fail: 1, stderr: 'disk full' });
    expect((await deploy(copy)).result).toMatchObject({ step: 'copy', previous: OLD, message: 'nix copy to web1.lan failed: disk full' });
    const none = new FakeTarget({ lock: running('') }).on('copy', { fail: 1, stderr: 'disk full' });
    expect((await deploy(none)).result.previous).toBeUndefined();
    const stopped = new FakeTarget({ lock: running(OLD) }).stopAt('lock');
    const { result } = await deploy(stopped);
    expect(result).toMatchObject({ status: 'failed', step: 'interrupted', outPath: NEW });
    expect(result.previous).toBeUndefined();
    expect(result.message).toContain('Nothing was activated.');
    expect(stopped.calls).toEqual(['host-keys', 'lock']);
  });

  it('a stop during the rollback says the rollback goes on, after what failed', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1') }).stopAt('rollback', 'SIGTERM');
    const { result } = await deploy(t);
    expect(result).toMatchObject({ status: 'failed', step: 'interrupted', previous: OLD });
    expect(result.message).toContain('It was rolling back (activation failed): a rollback that began goes on detached on the target');
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'rollback']);
  });

  it('a connection lost while vetting the deploy user is the connect step', async () => {
    const t = new FakeTarget().on('health', lost);
    const { result } = await deploy(t, plan({ target: { ...plan().target, user: 'deploy' } }));
    expect(result).toMatchObject({ status: 'failed', step: 'connect', message: 'Connection to web1.lan closed by remote host.' });
  });

  it('a stop during the copy reports what ran before', async () => {
    const t = new FakeTarget({ lock: running(OLD) }).stopAt('copy');
    expect((await deploy(t)).result).toMatchObject({ step: 'interrupted', previous: OLD });
  });

  it('dry-activate sets no profile, and a failed one is neither rolled back nor confirmed', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1') });
    const { result } = await deploy(t, plan({ mode: 'dry-activate' }));
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'unlock']);
    expect(t.contexts[0].ctx).toMatchObject({ mode: 'dry-activate', setProfile: '0' });
    expect(result).toMatchObject({ status: 'failed', step: 'activation', previous: OLD });
  });

  it('a failed rollback leaves the lock to the deployer, which releases it', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1'), rollback: { stdout: `running=${OTHER}\n` } });
    await deploy(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'rollback', 'unlock']);
  });

  it('tries the confirmation again while the host is unreachable, within the confirm timeout', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0') }).on('commit', lost, { stdout: `running=${NEW}\n` });
    expect((await deploy(t)).result.status).toBe('deployed');
    expect(t.calls).toEqual(['host-keys', 'lock', 'copy', 'activate', 'commit', 'commit']);
  });

  it("the watchdog's decision that could not roll back is a failure that says so", async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('0') }).on('commit', { fail: 76, stdout: `decided-by=watchdog\nresult=failed\nrunning=${NEW}\n` });
    const { result } = await deploy(t);
    expect(result).toMatchObject({ status: 'failed', step: 'confirm', rolledBackBy: 'watchdog', running: NEW });
    expect(result.message).toBe(`not confirmed within 2s: the target's watchdog could not roll back; it runs ${NEW}.`);
  });

  it('an unreachable host after a failed activation is left to the armed watchdog', async () => {
    const t = new FakeTarget({ lock: running(OLD), activate: activation('1'), rollback: lost, unlock: lost });
    const { result } = await deploy(t, plan({ confirmTimeout: 1 }));
    expect(result).toMatchObject({ status: 'failed', step: 'activation' });
    expect(result.message).toContain("web1.lan is unreachable (Connection to web1.lan closed by remote host.). The target's watchdog rolls back on its own");
  });

  it('a target without a stop signal goes through every ending', async () => {
    const copy = new FakeTarget({ lock: running(OLD) }).on('copy', { fail: 1, stderr: 'disk full' });
    expect((await deploy(copy, plan(), unstoppable(copy))).result.step).toBe('copy');
    const rolled = new FakeTarget({ lock: running(OLD), activate: activation('1'), rollback: { stdout: `running=${OLD}\n` } });
    expect((await deploy(rolled, plan(), unstoppable(rolled))).result.status).toBe('rolled-back');
    const unchanged = new FakeTarget({ lock: running(NEW) });
    expect((await deploy(unchanged, plan(), unstoppable(unchanged))).result.status).toBe('unchanged');
    expect(unchanged.calls).toContain('unlock');
  });
});

describe('deployHost of a generation chosen under the lock', () => {
  it('copies nothing, and logs the generation it confirmed', async () => {
    const t = new FakeTarget({ lock: running(NEW), activate: activation('0'), commit: { stdout: `running=${OLD}\n` } });
    const lines: string[] = [];
    const result = await deployHost(plan(), async () => ({ outPath: OLD, generation: 2 }), (l) => lines.push(l), t);
    expect(result).toMatchObject({ status: 'deployed', outPath: OLD, copied: false, running: OLD });
    expect(t.contexts[0].ctx.switchGeneration).toBe('2');
    expect(lines[lines.length - 1]).toBe('web1: confirmed on generation 2');
  });

  it('a choice that fails is the generation step, with what ran before; no system was chosen', async () => {
    const t = new FakeTarget({ lock: running(OLD) });
    const result = await deployHost(plan(), () => Promise.reject(new Error('no generation 9 in /nix/var/nix/profiles/system')), () => undefined, t);
    expect(result).toMatchObject({ status: 'failed', step: 'generation', previous: OLD, outPath: '', message: 'no generation 9 in /nix/var/nix/profiles/system' });
    expect(t.calls).toEqual(['host-keys', 'lock', 'unlock']);
  });
});

describe('newToken', () => {
  it('is a fresh word of letters and digits each time (the lock owner line and run folder carry it)', () => {
    const tokens = [newToken(), newToken(), newToken()];
    for (const token of tokens) expect(token).toMatch(/^d[0-9a-z]{8,}$/);
    expect(new Set(tokens).size).toBe(3);
  });
});
