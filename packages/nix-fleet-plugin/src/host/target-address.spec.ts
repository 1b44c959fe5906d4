import { parseTargetAddress, TARGET_ADDRESS_PATTERN, TARGET_HOST_PATTERN, TARGET_USER_PATTERN } from './target-address';

describe('parseTargetAddress', () => {
  it.each([
    ['web1', { host: 'web1' }],
    ['web1.lan', { host: 'web1.lan' }],
    ['10.0.0.11', { host: '10.0.0.11' }],
    ['255.255.255.255:22', { host: '255.255.255.255', port: 22 }],
    ['3com.lan', { host: '3com.lan' }],
    ['10.0.0.5a', { host: '10.0.0.5a' }],
    ['my_alias', { host: 'my_alias' }],
    ['fe80::1%eth0', { host: 'fe80::1%eth0' }],
    ['2001:db8::7', { host: '2001:db8::7' }],
    ['root@10.0.0.5', { host: '10.0.0.5', user: 'root', note: '--target-host=root@10.0.0.5 was split: targetHost "10.0.0.5", targetUser "root".' }],
    ['web1.lan:2222', { host: 'web1.lan', port: 2222, note: '--target-host=web1.lan:2222 was split: targetHost "web1.lan", port 2222.' }],
    ['deploy@[2001:db8::7]:22', { host: '2001:db8::7', user: 'deploy', port: 22 }],
    ['web1:1', { host: 'web1', port: 1 }],
    ['web1:65535', { host: 'web1', port: 65535 }],
  ])('understands %s', (value, expected) => {
    expect(parseTargetAddress(value, '--target-host')).toMatchObject(expected);
  });

  it.each([
    ['-Jevil', 'starts with "-": ssh would read it as an option'],
    ['-oProxyCommand=x', 'starts with "-"'],
    ['', 'is not a target address'],
    ['a b', 'is not a target address'],
    ['web1;reboot', 'is not a target address'],
    ['$(id)', 'is not a target address'],
    ['.hidden', 'is not a target address'],
    ['Root@web1', 'is not a target address'],
    ['a@b@c', 'is not a target address'],
    ['web1:', 'is not a target address'],
    ['web1:99999', 'port 99999 is not a TCP port'],
    ['web1:0', 'port 0 is not a TCP port'],
    ['web1:65536', '--target-host="web1:65536": port 65536 is not a TCP port (1-65535).'],
    ['x'.repeat(300) + '\n', 'is not a target address'],
    ['ünïcode.lan', 'is not a target address'],
    ['10.0.0.256', 'is not a target address'],
    ['999.1.1.1', 'is not a target address'],
    ['root@10.0.0.256:22', 'is not a target address'],
    ['1.2.3', 'is not a target address'],
  ])('refuses %j, naming the flag and the fix', (value, message) => {
    expect(() => parseTargetAddress(value, '--target-host')).toThrow(message);
    expect(() => parseTargetAddress(value, '--target-host')).toThrow(/^--target-host=/);
  });

  it('refuses a user or port given twice, differently', () => {
    expect(() => parseTargetAddress('root@web1', '--target-host', { user: 'admin' })).toThrow('names user "root", but the target user is "admin"');
    expect(() => parseTargetAddress('web1:2222', '--target-host', { port: 22 })).toThrow('names port 2222, but the port is 22');
    expect(parseTargetAddress('root@web1:22', '--target-host', { user: 'root', port: 22 })).toMatchObject({ host: 'web1', user: 'root', port: 22 });
    expect(parseTargetAddress('web1', '--target-host', { user: 'admin', port: 22 })).toEqual({ host: 'web1', user: 'admin', port: 22 });
  });
});

describe('the schemas use these patterns', () => {
  const hostSchema = require('../../host.schema.json');
  const deployment = hostSchema.properties.deployment.properties;
  const deploySchema = require('../executors/deploy/schema.json');

  it('host.json keeps the host alone', () => {
    expect(deployment.targetHost.pattern).toBe(TARGET_HOST_PATTERN.source);
    expect(deployment.targetUser.pattern).toBe(TARGET_USER_PATTERN.source);
  });

  it('deploy --targetHost takes an address', () => {
    expect(deploySchema.properties.targetHost.pattern).toBe(TARGET_ADDRESS_PATTERN.source);
  });

  it.each(['root@web1', 'web1:22', '-x', '999.1.1.1', '10.0.0.256'])('host.json refuses %j as a targetHost', (value) => {
    expect(TARGET_HOST_PATTERN.test(value)).toBe(false);
  });
});
