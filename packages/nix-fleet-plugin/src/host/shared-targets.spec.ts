import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsSharingTarget, machineOf, sameMachine } from './shared-targets';

// ssh -G and name lookups for a dozen hosts: slow on a loaded machine.
jest.setTimeout(60000);

describe('hostsSharingTarget', () => {
  const root = mkdtempSync(join(tmpdir(), 'shared-targets-'));
  const sshConfig = join(root, 'ssh_config');
  const host = (name: string, deployment: unknown) => {
    mkdirSync(join(root, 'hosts', name), { recursive: true });
    writeFileSync(join(root, 'hosts', name, 'host.json'), typeof deployment === 'string' ? deployment : JSON.stringify({ type: 'server', system: 'x86_64-linux', deployment }));
  };
  beforeAll(() => {
    // An alias of the operator's ssh config counts by the machine it names.
    writeFileSync(sshConfig, 'Host db-alias\n  HostName 10.0.0.12\n');
    host('web1', { targetHost: '10.0.0.11' });
    host('web2', { targetHost: '10.0.0.11' });
    host('web3', { targetHost: '10.0.0.11', port: 2222 });
    host('db1', { targetHost: '10.0.0.12' });
    host('db2', { targetHost: 'db-alias' });
    host('v6a', { targetHost: '2001:DB8:0:0:0:0:0:1' });
    host('v6b', { targetHost: '2001:db8::1' });
    host('mapped', { targetHost: '::ffff:10.0.0.13' });
    host('upper', { targetHost: 'WEB9.Example.INVALID' });
    host('lower', { targetHost: 'web9.example.invalid' });
    host('loop', { targetHost: '127.0.0.2' });
    host('broken', '{ "deployment": ');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const sharing = async (name: string, target: { host: string; port?: number }) => hostsSharingTarget(root, name, await machineOf({ ...target, configFile: sshConfig }), sshConfig);

  it('names the other hosts deploying to the same machine and port, however the address is spelled', async () => {
    expect(await sharing('web1', { host: '10.0.0.11' })).toEqual(['web2']);
    expect(await sharing('web3', { host: '10.0.0.11', port: 2222 })).toEqual([]);
    expect(await sharing('db1', { host: '10.0.0.12', port: 22 })).toEqual(['db2']);
    expect(await sharing('v6a', { host: '2001:DB8:0:0:0:0:0:1' })).toEqual(['v6b']);
    expect(await sharing('x', { host: '[2001:db8:0::1]' })).toEqual(['v6a', 'v6b']);
    expect(await sharing('x', { host: '10.0.0.13' })).toEqual(['mapped']);
    expect(await sharing('upper', { host: 'WEB9.Example.INVALID' })).toEqual(['lower']);
  });

  it('counts every spelling of this machine as one machine', async () => {
    for (const spelling of ['localhost', 'LOCALHOST', '::1', '0:0:0:0:0:0:0:1', '[::1]', '127.0.0.1']) {
      expect([spelling, await sharing('x', { host: spelling })]).toEqual([spelling, ['loop']]);
    }
  });

  it('tells machines apart by port too', async () => {
    const a = await machineOf({ host: '10.0.0.11' });
    expect(sameMachine(a, { ...a, port: 2222 })).toBe(false);
    expect(sameMachine(a, await machineOf({ host: '10.0.0.11', port: 22 }))).toBe(true);
  });
});
