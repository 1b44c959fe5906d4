// Rollback on demand through a fake host: the deploy sequence runs unchanged except that
// nothing is copied and the profile switches to the chosen generation.
import { FakeTarget } from '../../testing/fake-target';
import { deployPlan, type DeployPlan } from '../deploy/options';
import { rollbackHost } from './rollback-host';

const A = '/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-web1';
const B = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const P = '/nix/var/nix/profiles/system';

const plan = (over: Partial<DeployPlan> = {}): DeployPlan => ({
  ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { confirmTimeout: 2 }, {}),
  ...over,
});
const lock = { stdout: `current=${B}\nprofile=${B}\nprofile-link=system-2-link\n` };
const gens = (failed = '') => ({
  stdout: `current=${B}\nprofile-link=system-2-link\ngeneration=1 1764669600 1 ${A}\ngeneration=2 1764669700 1 ${B}\n${failed}`,
});

async function rollback(t: FakeTarget, to?: number, p = plan()) {
  const lines: string[] = [];
  const result = await rollbackHost(p, to, (l) => lines.push(l), t);
  return { result, lines };
}

describe('rollbackHost', () => {
  it('switches to the generation before the current one: locked, nothing copied, confirmed', async () => {
    const t = new FakeTarget({ lock, generations: gens(), activate: { stdout: 'nix-fleet-activation=0\n' }, commit: { stdout: `running=${A}\n` } });
    const { result, lines } = await rollback(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'generations', 'activate', 'commit']);
    expect(result).toMatchObject({ status: 'deployed', outPath: A, previous: B, running: A, copied: false, fromGeneration: 2, toGeneration: 1 });
    const activate = t.argvs[t.calls.indexOf('activate') - 1];
    // The context names the generation to switch to and the system it holds.
    expect(activate).toContain('switch_generation=1');
    expect(activate).toContain(`out_path=${A}`);
    expect(lines).toContain(`web1: rolling back from generation 2 (running ${B}) to generation 1 (${A})`);
  });

  it('refuses when there is nothing older, and releases the lock', async () => {
    const t = new FakeTarget({ lock, generations: { stdout: `current=${B}\nprofile-link=system-2-link\ngeneration=2 1764669700 1 ${B}\n` } });
    const { result } = await rollback(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'generations', 'unlock']);
    expect(result).toMatchObject({ status: 'failed', step: 'generation', previous: B });
    expect(result.message).toBe(`web1 is on generation 2 of ${P} and has no older generation to roll back to. Its generations: 2 (current).`);
  });

  it('never goes to the system of a failed deploy', async () => {
    const t = new FakeTarget({ lock, generations: gens(`run=1764669800 1 rolled-back ${A}\n`) });
    const { result } = await rollback(t, 1);
    expect(result).toMatchObject({ status: 'failed', step: 'generation' });
    expect(result.message).toContain('is the system of a deploy that failed on this host');
  });

  it('a rollback whose activation fails is undone: the host goes back to what it ran', async () => {
    const t = new FakeTarget({ lock, generations: gens(), activate: { stdout: 'boom\nnix-fleet-activation=1\n' }, rollback: { stdout: `running=${B}\n` } });
    const { result } = await rollback(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'generations', 'activate', 'rollback']);
    expect(result).toMatchObject({ status: 'rolled-back', step: 'activation', running: B, toGeneration: 1 });
    expect(result.message).toContain(`The deployer rolled back to ${B}, the system that ran before this rollback.`);
  });

  it('runs the host\'s health checks like a deploy, and a failing one undoes the rollback', async () => {
    const p = plan({ healthChecks: [{ command: 'systemctl is-active nginx', timeout: 1 }] });
    const t = new FakeTarget({ lock, generations: gens(), activate: { stdout: 'nix-fleet-activation=0\n' }, health: { fail: 3, stderr: 'inactive' }, rollback: { stdout: `running=${B}\n` } });
    const { result } = await rollback(t, undefined, p);
    expect(t.calls.filter((c) => c !== 'health')).toEqual(['host-keys', 'lock', 'generations', 'activate', 'probe', 'rollback']);
    expect(result).toMatchObject({ status: 'rolled-back', step: 'health check', running: B });
    expect(result.message).toContain('command "systemctl is-active nginx" did not pass within 1s');
  });

  it('--mode=boot switches the profile for the next boot: no watchdog, no confirmation, lock released', async () => {
    const t = new FakeTarget({ lock, generations: gens(), activate: { stdout: 'nix-fleet-activation=0\n' } });
    const { result } = await rollback(t, undefined, plan({ mode: 'boot' }));
    expect(t.calls).toEqual(['host-keys', 'lock', 'generations', 'activate', 'unlock']);
    expect(result).toMatchObject({ status: 'deployed', mode: 'boot', toGeneration: 1 });
    // No watchdog: its window is 0.
    expect(t.argvs[2]).toContain('window_seconds=0');
  });

  it('a lost connection while reading generations fails at connect and unlocks', async () => {
    const t = new FakeTarget({ lock }).on('generations', { fail: 255, stderr: 'Connection reset' });
    const { result } = await rollback(t);
    expect(t.calls).toEqual(['host-keys', 'lock', 'generations', 'unlock']);
    expect(result).toMatchObject({ status: 'failed', step: 'connect' });
  });
});
