// What a deploy stopped from outside tells the person, for each point it can stop at: before
// activation, during it with or without a watchdog, and during a rollback.
import { deployPlan, type DeployPlan } from './options';
import type { DeployContext } from './remote-scripts';
import { stoppedMessage } from './stopped';

const RUNNING = '/nix/store/c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1-nixos-system-running';
const PROFILE = '/nix/store/p2p2p2p2p2p2p2p2p2p2p2p2p2p2p2p2-nixos-system-profile';

const plan = (over: Partial<DeployPlan> = {}): DeployPlan => ({
  ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, {}, {}),
  ...over,
});
const ctx = (over: Partial<DeployContext> = {}): DeployContext => ({
  profile: '/nix/var/nix/profiles/system',
  outPath: '/nix/store/n3n3n3n3n3n3n3n3n3n3n3n3n3n3n3n3-nixos-system-new',
  mode: 'switch',
  runDir: '/var/lib/nix-fleet/d1',
  windowSeconds: 90,
  activationSeconds: 600,
  previousCurrent: RUNNING,
  lockDir: '/run/nix-fleet/deploy.lock',
  setProfile: true,
  previousProfile: PROFILE,
  previousProfileLink: 'system-41-link',
  currentSystemPath: '/run/current-system',
  switchGeneration: '',
  maxGeneration: '43',
  ...over,
});
const HEAD = 'stopped by SIGINT: the deployer stopped following web1 and closed its ssh connection.';

describe('stoppedMessage', () => {
  it('before activation: nothing activated, and the lock stays until a deploy breaks it as stale', () => {
    expect(stoppedMessage(plan({ lockDir: '/run/lock/fleet' }), 'SIGINT')).toBe(
      `${HEAD} Nothing was activated. The lock /run/lock/fleet on web1.lan stays until the next deploy passes --breakLock=stale.`,
    );
  });

  it('a rollback asked for without a context is still "nothing activated"', () => {
    expect(stoppedMessage(plan(), 'SIGINT', undefined, 'activation')).toContain('Nothing was activated.');
  });

  it('during activation with a watchdog: it rolls back to the running system after its window', () => {
    expect(stoppedMessage(plan(), 'SIGINT', ctx())).toBe(
      `${HEAD} The activation goes on detached; nobody confirms it, so the target's watchdog rolls back to ${RUNNING} 90s after it ends, and releases the lock.`,
    );
  });

  it('for boot, the watchdog returns the profile, not the running system', () => {
    expect(stoppedMessage(plan(), 'SIGINT', ctx({ mode: 'boot', windowSeconds: 30 }))).toContain(`rolls back to ${PROFILE} 30s after it ends`);
  });

  it('a host with nothing before it is returned to "the previous system"', () => {
    expect(stoppedMessage(plan(), 'SIGINT', ctx({ previousCurrent: '' }))).toContain('rolls back to the previous system 90s after');
  });

  it.each([
    [{ rollback: true }, 'test', '(mode test)'],
    [{ rollback: false }, 'switch', '(mode switch, --rollback=false)'],
  ])('with no watchdog (%j, mode %s): the activation goes on, check the host', (over, mode, says) => {
    expect(stoppedMessage(plan(over), 'SIGTERM', ctx({ mode, windowSeconds: 0 }))).toBe(
      `stopped by SIGTERM: the deployer stopped following web1 and closed its ssh connection. No watchdog was armed ${says}: the activation goes on detached; check the host with its generations target.`,
    );
  });

  it('during a rollback: it goes on detached if it began, back to what ran before; else the watchdog decides', () => {
    expect(stoppedMessage(plan(), 'nx is gone (its IPC channel closed)', ctx({ windowSeconds: 0 }), 'health check')).toBe(
      'stopped by nx is gone (its IPC channel closed): the deployer stopped following web1 and closed its ssh connection. ' +
        'It was rolling back (health check failed): a rollback that began goes on detached on the target, ' +
        `back to ${RUNNING}, and releases the lock; if it had not begun, the watchdog decides. Check the host with its generations target.`,
    );
    expect(stoppedMessage(plan(), 'SIGINT', ctx({ previousCurrent: '' }), 'activation')).toContain('back to the previous system, and releases the lock');
  });
});
