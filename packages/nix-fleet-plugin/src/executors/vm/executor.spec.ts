// The vm executor's pure parts: what it builds, how QEMU forwards SSH, and a port that is free.
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import { processAlive } from '../../deploy/lock';
import vmExecutor, { freePort, qemuNetOpts, vmBuildArgs } from './executor';

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

describe('vm executor start', () => {
  const { root, context, errors } = executorWorkspace('vm', 'web2');
  const dist = join(root, 'dist/hosts/web2');
  let exit: jest.SpyInstance;
  beforeAll(() => {
    mkdirSync(join(root, 'hosts/web2'), { recursive: true });
    writeFileSync(join(root, 'hosts/web2/host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux' }));
    // A stand-in for the run-web2-vm script of config.system.build.vm: runs until stopped.
    const outPath = join(root, 'vm-out');
    mkdirSync(join(outPath, 'bin'), { recursive: true });
    writeFileSync(join(outPath, 'bin/run-web2-vm'), '#!/bin/sh\necho $$ > started\nwhile :; do sleep 0.1; done\n', { mode: 0o755 });
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'vm.json'), JSON.stringify({ host: 'web2', outPath }));
  });
  beforeEach(() => {
    rmSync(join(dist, 'started'), { force: true });
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  });
  afterEach(() => exit.mockRestore());

  const started = async () => {
    for (let i = 0; i < 100 && !existsSync(join(dist, 'started')); i++) await new Promise((r) => setTimeout(r, 50));
    return Number(readFileSync(join(dist, 'started'), 'utf-8'));
  };

  it('refuses a second start while the first VM runs, naming its process and port', async () => {
    const first = vmExecutor({ start: true, sshPort: 40123 }, context);
    const pid = await started();
    expect(await vmExecutor({ start: true }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain(`web2's VM runs already (process ${pid}, ssh -p 40123 root@127.0.0.1)`);
    process.kill(pid, 'SIGTERM');
    await first;
    expect(existsSync(join(dist, 'vm.pid'))).toBe(false);
  });

  it('stops the VM when the executor is stopped (SIGTERM, nx gone), leaving no process or pid file', async () => {
    const run = vmExecutor({ start: true }, context);
    const pid = await started();
    process.emit('SIGTERM', 'SIGTERM');
    expect(await run).toEqual({ success: false });
    for (let i = 0; i < 50 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(processAlive(pid)).toBe(false);
    expect(exit).toHaveBeenCalledWith(143);
    expect(existsSync(join(dist, 'vm.pid'))).toBe(false);
  });
});
