import type { HostJson } from '../host/host-json';
import { DEPLOY_DEFAULTS, DURATION_LIMITS, deployPlan, watchdogWindow } from './options';

const hostJson = (deployment: HostJson['deployment'] = { targetHost: '10.0.0.11' }): HostJson => ({ type: 'server', system: 'x86_64-linux', deployment });

describe('deployPlan', () => {
  it('fills NixOS defaults', () => {
    const plan = deployPlan('web1', hostJson(), {});
    expect(plan).toMatchObject({
      host: 'web1',
      target: { host: '10.0.0.11', user: undefined, port: undefined, sshOptions: [], connectTimeout: 10, configFile: undefined },
      mode: 'switch',
      force: false,
      rollback: true,
      checkSigs: false,
      confirmTimeout: 30,
      profilePath: '/nix/var/nix/profiles/system',
      currentSystemPath: '/run/current-system',
      lockDir: '/run/nix-fleet/deploy.lock',
      privilegeCommand: ['sudo', '-n'],
      healthChecks: [],
    });
  });

  it('merges host.json and executor options: host.json ssh options first, options override fields', () => {
    const plan = deployPlan(
      'web1',
      hostJson({ targetHost: 'web1.lan', targetUser: 'deploy', port: 2222, sshOptions: ['-J', 'bastion'], healthChecks: [{ url: 'http://localhost/' }, { command: 'true', timeout: 3 }] }),
      { targetHost: 'web1.vpn', sshOptions: ['-i', 'deploy_key'], mode: 'boot', confirmTimeout: 5 },
    );
    expect(plan.target).toEqual({ host: 'web1.vpn', user: 'deploy', port: 2222, sshOptions: ['-J', 'bastion', '-i', 'deploy_key'], connectTimeout: 10, configFile: undefined, hostKeyAlias: 'web1' });
    expect(plan.healthChecks).toEqual([{ url: 'http://localhost/', timeout: DEPLOY_DEFAULTS.healthCheckTimeout }, { command: 'true', timeout: 3 }]);
    expect(plan.mode).toBe('boot');
  });

  it.each([
    [hostJson({}), {}, /Host "web1" has no deployment.targetHost in hosts\/web1\/host.json. Add it .* or pass --targetHost/],
    [hostJson(), { targetHost: '-oProxyCommand=x' }, /^--targetHost="-oProxyCommand=x" starts with "-": ssh would read it as an option/],
    [hostJson(), { targetHost: 'a b' }, /^--targetHost="a b" is not a target address: give \[user@\]host\[:port\]/],
    [hostJson({ targetHost: '-Jevil' }), {}, /^hosts\/web1\/host.json deployment.targetHost="-Jevil" starts with "-"/],
    [hostJson({ targetHost: 'web1', targetUser: 'admin' }), { targetHost: 'root@web1' }, /names user "root", but the target user is "admin"/],
    [hostJson(), { targetUser: 'Root;' }, /targetUser "Root;" is not a valid user name/],
    [hostJson(), { port: 70000 }, /--port=70000 is not a TCP port/],
    [hostJson(), { mode: 'reboot' as never }, /--mode=reboot is not a deploy mode. Use one of: switch, boot, test, dry-activate/],
    [hostJson(), { confirmTimeout: 0 }, /--confirmTimeout=0 is not a number of seconds from more than 0 to 3600. Pass e.g. --confirmTimeout=30/],
    [hostJson(), { connectTimeout: 3000000 }, /--connectTimeout=3000000 is not a number of seconds from more than 0 to 600. Pass e.g. --connectTimeout=10/],
    [hostJson(), { activationTimeout: 2 ** 31 }, /--activationTimeout=2147483648 is not a number of seconds from more than 0 to 86400/],
    [hostJson(), { confirmTimeout: Infinity }, /--confirmTimeout=Infinity is not a number of seconds/],
    [hostJson(), { connectTimeout: 0.5 }, /--connectTimeout=0.5 is not a whole number of seconds \(ssh's ConnectTimeout\). Pass e.g. --connectTimeout=1/],
    [hostJson(), { connectTimeout: 1e-9 }, /--connectTimeout=1e-9 is not a whole number of seconds/],
    [hostJson(), { profilePath: 'profiles/system' }, /--profilePath="profiles\/system" must be an absolute path/],
    [hostJson(), { lockDir: '/run/../etc' }, /--lockDir="\/run\/..\/etc" must be an absolute path on the target without ".."/],
    [hostJson(), { sshOptions: ['-o', 'StrictHostKeyChecking=no'] }, /^--sshOptions: "-o StrictHostKeyChecking=no" is not an allowed ssh option/],
    [hostJson({ targetHost: 'x', sshOptions: ['-o', 'ProxyCommand=touch pwned'] }), {}, /^hosts\/web1\/host.json deployment.sshOptions: "-o ProxyCommand=touch pwned" is not an allowed ssh option/],
    [hostJson({ targetHost: 'x', healthChecks: [{ command: 'true', timeout: -1 }] }), {}, /--healthChecks.timeout=-1 is not a number of seconds from more than 0 to 3600/],
  ])('refuses bad input %#, naming it and the fix', (h, options, message) => {
    expect.assertions(1);
    try {
      deployPlan('web1', h, options);
    } catch (e) {
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('watchdogWindow', () => {
  it.each([
    [{}, 30],
    [{ confirmTimeout: 4 }, 4],
    [{ mode: 'boot' as const }, 0],
    [{ mode: 'dry-activate' as const }, 0],
    [{ rollback: false }, 0],
    [{ mode: 'test' as const, confirmTimeout: 2.5 }, 3],
  ])('%j -> %d s', (options, seconds) => {
    expect(watchdogWindow(deployPlan('web1', hostJson(), options))).toBe(seconds);
  });

  it('adds the health check timeouts', () => {
    const h = hostJson({ targetHost: 'x', healthChecks: [{ command: 'true', timeout: 5 }, { url: 'http://x/' }] });
    expect(watchdogWindow(deployPlan('web1', h, { confirmTimeout: 10 }))).toBe(45);
  });
});

describe('duration limits', () => {
  const schema = require('../executors/deploy/schema.json');
  const hostSchema = require('../../host.schema.json');

  it('are the maxima the schemas document', () => {
    for (const name of ['connectTimeout', 'confirmTimeout', 'activationTimeout'] as const) {
      expect([name, schema.properties[name].maximum]).toEqual([name, DURATION_LIMITS[name]]);
    }
    const check = hostSchema.properties.deployment.properties.healthChecks.items.properties.timeout;
    expect(check.maximum).toBe(DURATION_LIMITS['healthChecks.timeout']);
  });

  it('keep every timeout deploy computes from them under the Node timer limit', () => {
    const worst = (DURATION_LIMITS.activationTimeout + DURATION_LIMITS.connectTimeout + 10) * 1000;
    expect(worst).toBeLessThan(2 ** 31 - 1);
  });
});

describe('target addresses', () => {
  it('splits --targetHost=user@host:port, with a note', () => {
    const plan = deployPlan('web1', hostJson(), { targetHost: 'deploy@web1.lan:2222' });
    expect(plan.target).toMatchObject({ host: 'web1.lan', user: 'deploy', port: 2222 });
    expect(plan.addressNote).toBe('--targetHost=deploy@web1.lan:2222 was split: targetHost "web1.lan", targetUser "deploy", port 2222.');
  });
});

describe('NIX_FLEET_SSH_CONFIG', () => {
  it('is the deploying machine\'s own ssh config, passed first', () => {
    expect(deployPlan('web1', hostJson(), {}, { NIX_FLEET_SSH_CONFIG: '/etc/nix-fleet/ssh_config' }).target.configFile).toBe('/etc/nix-fleet/ssh_config');
  });

  it.each(['relative/cfg', '/a b'])('refuses %j', (file) => {
    expect(() => deployPlan('web1', hostJson(), {}, { NIX_FLEET_SSH_CONFIG: file })).toThrow('NIX_FLEET_SSH_CONFIG=');
  });
});
