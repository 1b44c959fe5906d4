// What the real ssh on this machine makes of a target (ssh -G connects nowhere).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireOnPath } from '../../testing/on-path';
import { effectiveSshConfig } from './effective-config';

describe('effectiveSshConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'effective-config-'));
  const configFile = join(dir, 'ssh_config');
  writeFileSync(configFile, 'Host web1-alias\n  HostName 10.1.2.3\n  User fromconfig\n  Port 2200\n');
  beforeAll(() => requireOnPath('ssh', 'OpenSSH'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("applies the operator's ssh config: an alias counts by its HostName, User and Port", async () => {
    const cfg = await effectiveSshConfig({ host: 'web1-alias', configFile });
    expect(cfg).toMatchObject({ host: 'web1-alias', hostname: '10.1.2.3', user: 'fromconfig', port: '2200' });
  });

  it("takes the target's user, port and options over the config's, with the deploy's own settings", async () => {
    const cfg = await effectiveSshConfig({ host: 'web1-alias', user: 'ops', port: 2222, sshOptions: ['-o', 'LogLevel=ERROR'], configFile });
    expect(cfg).toMatchObject({ hostname: '10.1.2.3', user: 'ops', port: '2222', loglevel: 'ERROR', batchmode: 'yes', connecttimeout: '10' });
  });

  it('is undefined when ssh cannot tell (a config file that is not there)', async () => {
    await expect(effectiveSshConfig({ host: 'web1', configFile: join(dir, 'missing') })).resolves.toBeUndefined();
  });
});
