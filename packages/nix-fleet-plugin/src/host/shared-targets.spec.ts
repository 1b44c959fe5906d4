import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostsSharingTarget } from './shared-targets';

describe('hostsSharingTarget', () => {
  const root = mkdtempSync(join(tmpdir(), 'shared-targets-'));
  const host = (name: string, deployment: unknown) => {
    mkdirSync(join(root, 'hosts', name), { recursive: true });
    writeFileSync(join(root, 'hosts', name, 'host.json'), typeof deployment === 'string' ? deployment : JSON.stringify({ type: 'server', system: 'x86_64-linux', deployment }));
  };
  host('web1', { targetHost: '10.0.0.11' });
  host('web2', { targetHost: '10.0.0.11' });
  host('web3', { targetHost: '10.0.0.11', port: 2222 });
  host('db1', { targetHost: '10.0.0.12' });
  host('broken', '{ "deployment": ');

  it('names the other hosts deploying to the same address and port', () => {
    expect(hostsSharingTarget(root, 'web1', { host: '10.0.0.11' })).toEqual(['web2']);
    expect(hostsSharingTarget(root, 'web3', { host: '10.0.0.11', port: 2222 })).toEqual([]);
    expect(hostsSharingTarget(root, 'db1', { host: '10.0.0.12', port: 22 })).toEqual([]);
  });
});
