// deployPlan's handling of each value: what passes through, the limits of each check, and the fix each error names.
import type { HostJson } from '../host/host-json';
import { deployPlan } from './options';
import type { DeployOptions } from './deploy-options';

const hostJson = (deployment: HostJson['deployment'] = { targetHost: '10.0.0.11' }): HostJson => ({ type: 'server', system: 'x86_64-linux', deployment });
const planOf = (options: DeployOptions, env: NodeJS.ProcessEnv = {}) => deployPlan('web1', hostJson(), options, env);
const errorOf = (options: DeployOptions, h = hostJson(), env: NodeJS.ProcessEnv = {}) => {
  try {
    deployPlan('web1', h, options, env);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('deployPlan passes each option through', () => {
  it('defaults: no force, no lock breaking, no substitutes, no signature checks, a day to build, /run/nix-fleet', () => {
    expect(planOf({})).toMatchObject({ force: false, breakLock: undefined, substituteOnTarget: false, checkSigs: false, activationTimeout: 600, buildTimeout: 86400, stateDir: '/run/nix-fleet' });
  });

  it('given values win over the defaults', () => {
    const options = { force: true, substituteOnTarget: true, checkSigs: true, rollback: false, activationTimeout: 90, buildTimeout: 7200, stateDir: '/var/lib/fleet', profilePath: '/tmp/p', currentSystemPath: '/tmp/c', lockDir: '/tmp/l', privilegeCommand: ['doas'] };
    expect(planOf(options)).toMatchObject(options);
    expect(planOf({ connectTimeout: 3 }).target.connectTimeout).toBe(3);
  });

  it.each([
    [undefined, undefined],
    [false, undefined],
    ['stale', 'stale'],
    ['force', 'force'],
  ])('--breakLock=%s is %s', (given, breakLock) => {
    expect(planOf({ breakLock: given as never }).breakLock).toBe(breakLock);
  });

  it.each([true, 'yes'])('--breakLock=%s is refused, naming both choices', (given) => {
    expect(errorOf({ breakLock: given as never })).toBe(`--breakLock=${given} is not a choice: pass --breakLock=stale (only a lock whose owner is provably gone) or --breakLock=force.`);
  });

  it.each(['switch', 'boot', 'test', 'dry-activate'] as const)('--mode=%s is kept', (mode) => {
    expect(planOf({ mode }).mode).toBe(mode);
  });

  it('--mode=plan activates nothing: its plan carries the default mode', () => {
    expect(planOf({ mode: 'plan' }).mode).toBe('switch');
  });

  it('takes user and port from host.json, the flags over them', () => {
    const h = hostJson({ targetHost: 'web1.lan', targetUser: 'deploy', port: 2200 });
    expect(deployPlan('web1', h, {}, {}).target).toMatchObject({ user: 'deploy', port: 2200 });
    expect(deployPlan('web1', h, { targetUser: 'ops', port: 22 }, {}).target).toMatchObject({ user: 'ops', port: 22 });
  });

  it('splits a host.json address too, naming host.json in the note', () => {
    expect(deployPlan('web1', hostJson({ targetHost: 'web1.lan:2222' }), {}, {}).addressNote).toBe('hosts/web1/host.json deployment.targetHost=web1.lan:2222 was split: targetHost "web1.lan", port 2222.');
    expect(planOf({}).addressNote).toBeUndefined();
  });
});

describe('deployPlan checks each value at its limits', () => {
  it.each([1, 65535])('port %d is a TCP port', (port) => {
    expect(planOf({ port }).target.port).toBe(port);
  });

  it.each([0, 65536, 22.5, -1])('port %d is not', (port) => {
    expect(errorOf({ port })).toBe(`--port=${port} is not a TCP port (1-65535).`);
  });

  it('a valid user name passes; one with a capital letter does not', () => {
    expect(planOf({ targetUser: 'deploy_1' }).target.user).toBe('deploy_1');
    expect(errorOf({}, hostJson({ targetHost: 'x', targetUser: 'Admin' }))).toBe('targetUser "Admin" is not a valid user name.');
  });

  it.each([
    ['connectTimeout', 600, 10],
    ['confirmTimeout', 3600, 30],
    ['activationTimeout', 86400, 600],
    ['buildTimeout', 86400, 86400],
  ] as const)('--%s=%d is the most it may be; past it the error suggests %d', (name, max, fallback) => {
    expect(errorOf({ [name]: max })).toBe('no error');
    expect(errorOf({ [name]: max + 1 })).toBe(`--${name}=${max + 1} is not a number of seconds from more than 0 to ${max}. Pass e.g. --${name}=${fallback}.`);
  });

  it.each([NaN, -5, '5'])('a duration of %j is refused', (value) => {
    expect(errorOf({ confirmTimeout: value as never })).toMatch(/^--confirmTimeout=\S+ is not a number of seconds from more than 0 to 3600\. Pass e\.g\. --confirmTimeout=30\.$/);
  });

  it('a fraction of a second passes where ssh is not involved', () => {
    expect(planOf({ confirmTimeout: 0.5, activationTimeout: 1.5 })).toMatchObject({ confirmTimeout: 0.5, activationTimeout: 1.5 });
  });

  it.each([
    [0.2, 1],
    [2.6, 3],
    [4.4, 4],
  ])('--connectTimeout=%d is refused for ssh, suggesting %d', (value, whole) => {
    expect(errorOf({ connectTimeout: value })).toBe(`--connectTimeout=${value} is not a whole number of seconds (ssh's ConnectTimeout). Pass e.g. --connectTimeout=${whole}.`);
  });

  it('a health check may wait up to an hour', () => {
    const check = (timeout: number) => hostJson({ targetHost: 'x', healthChecks: [{ command: 'true', timeout }] });
    expect(deployPlan('web1', check(3600), {}, {}).healthChecks[0].timeout).toBe(3600);
    expect(errorOf({}, check(3601))).toBe('--healthChecks.timeout=3601 is not a number of seconds from more than 0 to 3600. Pass e.g. --healthChecks.timeout=30.');
  });
});

describe('deployPlan paths on the target', () => {
  it.each([
    ['/run/nix-fleet/', '/run/nix-fleet'],
    ['/var/lib//fleet//', '/var/lib//fleet'],
    ['///', '/'],
    ['/', '/'],
    ['/run/..lock', '/run/..lock'],
  ])('%j is %j', (given, path) => {
    expect(planOf({ stateDir: given }).stateDir).toBe(path);
  });

  it.each(['/run/a\nb', '/run/a\0b', '/run/..', 'run/x', ''])('%j is refused, naming the option and an example', (given) => {
    expect(errorOf({ currentSystemPath: given })).toBe(`--currentSystemPath=${JSON.stringify(given)} must be an absolute path on the target without "..", e.g. /run/current-system.`);
  });

  it.each([
    ['profilePath', '/nix/var/nix/profiles/system'],
    ['currentSystemPath', '/run/current-system'],
    ['lockDir', '/run/nix-fleet/deploy.lock'],
    ['stateDir', '/run/nix-fleet'],
  ] as const)('--%s is checked, and its error names it and its default', (name, fallback) => {
    expect(errorOf({ [name]: '/a/../b' })).toBe(`--${name}="/a/../b" must be an absolute path on the target without "..", e.g. ${fallback}.`);
  });
});

describe('NIX_FLEET_SSH_CONFIG', () => {
  it('unset or empty: no config file of the deploying machine', () => {
    expect(planOf({}, { NIX_FLEET_SSH_CONFIG: '' }).target.configFile).toBeUndefined();
  });

  it.each(['/etc/ssh\tconfig', '/etc/ssh\0config', '/etc/ssh\nconfig'])('%j is refused, saying why', (file) => {
    expect(errorOf({}, hostJson(), { NIX_FLEET_SSH_CONFIG: file })).toBe(
      `NIX_FLEET_SSH_CONFIG=${JSON.stringify(file)} must be an absolute path without whitespace (Nix passes ssh options split on whitespace).`,
    );
  });
});
