// The privilege check of a non-root deploy user: refused with the rule to add, before the lock
// and before anything is copied; root and a working rule pass; a lost connection stays one.
import { FakeTarget } from '../../testing/fake-target';
import { CommandError } from '../process/run';
import { deployHost } from './deploy-host';
import { deployPlan, type DeployPlan } from './options';
import { checkPrivilege } from './privilege-check';
import { DeployStepError } from './step-error';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const plan = (targetUser: string | undefined, over: Partial<DeployPlan> = {}): DeployPlan => ({
  ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan', ...(targetUser ? { targetUser } : {}) } }, {}, {}),
  ...over,
});
const refusedBySudo = { fail: 1, stderr: 'sudo: a password is required' };

describe('checkPrivilege', () => {
  it.each([[undefined], ['root']])('asks nothing of a root login (targetUser %s)', async (user) => {
    const t = new FakeTarget();
    await checkPrivilege(t, plan(user));
    expect(t.argvs).toEqual([]);
  });

  it('asks nothing when privilegeCommand is empty (the user is trusted as it is)', async () => {
    const t = new FakeTarget();
    await checkPrivilege(t, plan('deploy', { privilegeCommand: [] }));
    expect(t.argvs).toEqual([]);
  });

  it('passes a user whose privileged command runs as uid 0', async () => {
    const t = new FakeTarget().on('health', { stdout: '0\n' });
    await checkPrivilege(t, plan('deploy'));
    expect(t.argvs).toEqual([['id', '-u']]);
  });

  it('refuses a user sudo asks for a password, naming the sudoers line and what sudo said', async () => {
    const t = new FakeTarget().on('health', refusedBySudo);
    expect.assertions(4);
    try {
      await checkPrivilege(t, plan('deploy'));
    } catch (e) {
      expect(e).toBeInstanceOf(DeployStepError);
      expect((e as DeployStepError).step).toBe('connect');
      expect((e as Error).message).toContain('deploy@web1.lan cannot run nix-fleet\'s privileged steps as root with "sudo -n" (sudo: a password is required); nothing was copied.');
      expect((e as Error).message).toContain('\n  deploy ALL=(root) NOPASSWD: /bin/sh\n');
    }
  });

  it('refuses a privilege command that does not give root, without a sudoers line for another tool', async () => {
    const t = new FakeTarget().on('health', { stdout: '1500\n' });
    await expect(checkPrivilege(t, plan('deploy', { privilegeCommand: ['doas', '-n'] }))).rejects.toThrow(
      'deploy@web1.lan cannot run nix-fleet\'s privileged steps as root with "doas -n" (it ran as uid 1500); nothing was copied. Allow deploy to run /bin/sh as root through "doas -n" without a password',
    );
  });

  it('keeps a lost connection a connection failure, not a privilege refusal', async () => {
    const t = new FakeTarget().on('health', { fail: 255, stderr: 'Connection closed' });
    await expect(checkPrivilege(t, plan('deploy'))).rejects.toBeInstanceOf(CommandError);
  });

  it('deployHost refuses before the lock and before copying', async () => {
    const t = new FakeTarget().on('health', refusedBySudo);
    const result = await deployHost(plan('deploy'), NEW, () => undefined, t);
    expect(t.calls).toEqual(['host-keys', 'health']);
    expect(result).toMatchObject({ status: 'failed', step: 'connect', copied: false });
    expect(result.message).toContain('deploy ALL=(root) NOPASSWD: /bin/sh');
  });

  it('a check that prints no uid is refused as uid unknown, at the connect step', async () => {
    const t = new FakeTarget().on('health', { stdout: '\n' });
    await expect(checkPrivilege(t, plan('deploy'))).rejects.toMatchObject({ step: 'connect', message: expect.stringContaining('(it ran as uid unknown); nothing was copied.') });
    const doas = new FakeTarget().on('health', { stdout: '1500\n' });
    await expect(checkPrivilege(doas, plan('deploy', { privilegeCommand: ['doas', '-n'] }))).rejects.toMatchObject({ step: 'connect' });
  });

  it('bounds the check on the target and here by more than the connect timeout', async () => {
    const t = new FakeTarget().on('health', { stdout: '0\n' });
    let opts: { timeoutMs: number; remoteSeconds?: number } | undefined;
    const exec = t.exec.bind(t);
    t.exec = (argv, o) => ((opts = o), exec(argv, o));
    const p = plan('deploy');
    await checkPrivilege(t, p);
    expect(opts!.timeoutMs).toBeGreaterThan(p.target.connectTimeout * 1000);
    expect(opts!.timeoutMs).toBeLessThanOrEqual((p.target.connectTimeout + 60) * 1000);
    expect(opts!.remoteSeconds).toBeGreaterThan(0);
    expect(opts!.remoteSeconds! * 1000).toBeLessThan(opts!.timeoutMs);
  });
});
