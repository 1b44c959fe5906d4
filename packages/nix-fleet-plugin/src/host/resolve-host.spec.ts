import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostName, resolveHost } from './resolve-host';

describe('resolveHost', () => {
  const root = mkdtempSync(join(tmpdir(), 'resolve-host-'));
  mkdirSync(join(root, 'hosts', 'web-1'), { recursive: true });
  writeFileSync(join(root, 'hosts', 'web-1', 'host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux' }));

  it('takes --host over the project and reads its host.json', () => {
    expect(resolveHost({ host: 'web-1' }, { root, projectName: 'other' })).toEqual({
      host: 'web-1',
      hostFile: 'hosts/web-1/host.json',
      hostJson: { type: 'server', system: 'x86_64-linux' },
    });
  });

  it.each(['../../x', '../web-1', 'Web1', '-rf', 'a/b', '', 'x'.repeat(64), 'web1\n'])('refuses --host=%j before reading any path', (host) => {
    expect.assertions(1);
    expect(() => hostName({ host }, { projectName: 'web-1' })).toThrow(/is not a valid host name|No host/);
  });

  it('names the flag and an example', () => {
    expect(() => hostName({ host: '../../x' }, {})).toThrow('--host="../../x" is not a valid host name: use lowercase letters, digits and "-" (RFC 1123), e.g. --host=web-1.');
  });

  it('needs a host', () => {
    expect(() => hostName({}, {})).toThrow('No host: pass --host=<name> or run the target of a host project.');
  });
});
