// The vm executor's pure parts: what it builds, how QEMU forwards SSH, and a port that is free.
import { createServer } from 'node:net';
import { freePort, qemuNetOpts, vmBuildArgs } from './executor';

describe('vm executor', () => {
  it('builds config.system.build.vm of the host, as nixos-rebuild build-vm does', () => {
    expect(vmBuildArgs('/fleet', 'web2')).toEqual(['build', '--json', '--no-link', '/fleet#nixosConfigurations.web2.config.system.build.vm']);
  });

  it('forwards the guest\'s port 22 to loopback only', () => {
    expect(qemuNetOpts(40022)).toBe('hostfwd=tcp:127.0.0.1:40022-:22');
  });

  it('finds a port nothing listens on, and another one while that is taken', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await freePort()).not.toBe(port);
    } finally {
      server.close();
    }
  });
});
