// The local target: argv run on this machine, through sudo only when not root.
import { deployPlan } from './options';
import { isLocal, LocalHost, localArgv, localOptions } from './local-target';

const hostJson = (targetHost?: string) => ({ type: 'server' as const, system: 'x86_64-linux' as const, deployment: targetHost ? { targetHost } : {} });

describe('local target', () => {
  it.each([
    [0, ['nix-env', '-p', '/p'], ['nix-env', '-p', '/p']],
    [1000, ['nix-env', '-p', '/p'], ['sudo', '-n', '--', 'nix-env', '-p', '/p']],
  ])('uid %i runs %j as %j', (uid, argv, expected) => expect(localArgv(argv, uid)).toEqual(expected));

  it('runs argv here with no shell in between, and reports failure like ssh would', async () => {
    const t = new LocalHost(0);
    expect((await t.exec(['sh', '-c', 'echo "$1"', 'x', 'a b;$(no)'])).stdout).toBe('a b;$(no)\n');
    await expect(t.exec(['sh', '-c', 'exit 3'])).rejects.toMatchObject({ code: 3 });
    await expect(t.copy()).resolves.toMatchObject({ code: 0 });
  });

  it('a host is local by targetHost localhost or --local, which may not contradict --targetHost', () => {
    expect(isLocal(deployPlan('ares', hostJson('localhost'), {}, {}))).toBe(true);
    expect(isLocal(deployPlan('ares', hostJson('ares.lan'), localOptions({ local: true }), {}))).toBe(true);
    expect(isLocal(deployPlan('ares', hostJson(), localOptions({ local: true }), {}))).toBe(true);
    expect(isLocal(deployPlan('ares', hostJson('ares.lan'), {}, {}))).toBe(false);
    expect(() => localOptions({ local: true, targetHost: 'web1' })).toThrow('--local and --targetHost=web1 contradict each other');
  });
});
