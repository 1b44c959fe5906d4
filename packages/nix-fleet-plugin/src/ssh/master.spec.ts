import { existsSync, statSync } from 'node:fs';
import { requireOnPath } from '../../testing/on-path';
import { controlParent, SshMaster } from './master';

describe('controlParent', () => {
  it.each([
    ['/tmp', '/tmp'],
    ['/run/user/0', '/run/user/0'],
    // NIX_SSHOPTS is split on whitespace, and ssh expands % in ControlPath.
    ['/home/a b/tmp', '/tmp'],
    ['/tmp/%h', '/tmp'],
    ['relative/tmp', '/tmp'],
    // A socket path must fit in sun_path with ssh's temporary suffix.
    [`/tmp/${'x'.repeat(80)}`, '/tmp'],
    [`/tmp/${'x'.repeat(64)}`, `/tmp/${'x'.repeat(64)}`],
    [`/tmp/${'x'.repeat(65)}`, '/tmp'],
  ])('%s -> %s', (dir, parent) => {
    expect(controlParent(dir)).toBe(parent);
  });
});

describe('SshMaster', () => {
  beforeAll(() => requireOnPath('ssh', 'OpenSSH'));
  it('rejects with ssh exit 255 when the host cannot be reached, and leaves no control folder', async () => {
    expect.assertions(5);
    // Port 1 on this machine's loopback: refused at once, no network needed.
    const master = new SshMaster({ host: '127.0.0.1', port: 1, sshOptions: [], connectTimeout: 5 });
    try {
      await master.ensure(20000);
    } catch (e) {
      expect((e as { code?: number }).code).toBe(255);
      expect((e as Error).message).toMatch(/^ssh .*ControlMaster=yes.* exited with code 255: ssh: connect to host 127\.0\.0\.1 port 1: Connection refused$/);
    }
    const dir = master.controlDir!;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(master.controlPath).toBeUndefined();
    await master.close();
    expect(existsSync(dir)).toBe(false);
  });
});
