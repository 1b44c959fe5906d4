// @nix-fleet/nx:vm: the host's system as a local QEMU VM. Building is the cached vm-build target
// (dist/hosts/<host>/vm.json names the store path); start runs it with the guest's SSH on a free
// local port, through QEMU_NET_OPTS as NixOS's run-<name>-vm script reads it.
import type { ExecutorContext } from '@nx/devkit';
import { writeJsonFile } from '@nx/devkit';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { hostDistDir } from '../../constants';
import { checkedOptions } from '../option-rule';
import { resolveHost } from '../../host/resolve-host';
import { flakeRefFor } from '../../nix/flake-ref';
import { parseNixBuildJson } from '../../nix/nix-argv';
import { run } from '../../process/run';
import { abortReason } from '../../process/command-error';
import { stopExitCode, watchForStop } from '../../deploy/stop-signal';
import type { VmExecutorSchema } from './schema';

export function vmBuildArgs(flakeRef: string, host: string): string[] {
  return ['build', '--json', '--no-link', `${flakeRef}#nixosConfigurations.${host}.config.system.build.vm`];
}

/** What the guest's run script reads: user networking with the guest's port 22 on 127.0.0.1:<port>. */
export function qemuNetOpts(port: number): string {
  return `hostfwd=tcp:127.0.0.1:${port}-:22`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The VM started from dist/hosts/<host>/vm.pid, if its process still runs the host's VM. */
export function runningVm(pidFile: string, host: string): { pid: number; port: number } | undefined {
  if (!existsSync(pidFile)) return undefined;
  try {
    const vm = JSON.parse(readFileSync(pidFile, 'utf-8')) as { pid: number; port: number };
    // A pid of a VM long gone may belong to another process now: it must still be the VM.
    const cmdline = readFileSync(`/proc/${vm.pid}/cmdline`, 'utf-8');
    return cmdline.includes(`run-${host}-vm`) || cmdline.includes('qemu') ? vm : undefined;
  } catch {
    return undefined;
  }
}

export default async function vmExecutor(given: VmExecutorSchema, context: ExecutorContext) {
  const root = context.root;
  let options = given;
  try {
    options = checkedOptions('vm', given, context);
    const { host } = resolveHost(options, context);
    const record = join(root, hostDistDir(host), 'vm.json');
    const flakeRef = flakeRefFor(root, options.flake);
    let outPath = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf-8')) as { outPath?: string }).outPath : undefined;
    // A cache hit restores vm.json, not the store path; building again is then a no-op or a fetch.
    if (!options.start || !outPath || !existsSync(outPath)) {
      outPath = parseNixBuildJson((await run('nix', vmBuildArgs(flakeRef, host), { cwd: root, echo: true, streamStderr: true })).stdout).outPath;
      writeJsonFile(record, { host, outPath }, { appendNewLine: true });
      console.log(`${host}: VM ${outPath}`);
    }
    if (!options.start) return { success: true };
    const script = readdirSync(join(outPath, 'bin')).find((f) => /^run-.+-vm$/.test(f));
    if (!script) throw new Error(`${outPath}/bin has no run-<name>-vm script: is it config.system.build.vm?`);
    const pidFile = join(root, hostDistDir(host), 'vm.pid');
    const running = runningVm(pidFile, host);
    if (running) {
      throw new Error(`${host}'s VM runs already (process ${running.pid}, ssh -p ${running.port} root@127.0.0.1): a second one would share its disk image. Log in to that one, or stop it first (poweroff inside, or kill ${running.pid}).`);
    }
    const port = options.sshPort ?? (await freePort());
    console.log(`${host}: starting ${script}; log in with: ssh -p ${port} root@127.0.0.1 (or your user from profiles.base.user). Stop it with Ctrl-C or poweroff inside.`);
    // SIGTERM or nx gone: QEMU is stopped with this process, not left holding the port and the disk image.
    const stop = watchForStop();
    let code: number | null;
    try {
      code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(join(outPath!, 'bin', script), [], { cwd: join(root, hostDistDir(host)), stdio: 'inherit', env: { ...process.env, QEMU_NET_OPTS: qemuNetOpts(port) } });
        child.on('error', reject);
        child.on('exit', resolve);
        if (child.pid !== undefined) writeFileSync(pidFile, `${JSON.stringify({ pid: child.pid, port })}\n`);
        stop.signal.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
      });
    } finally {
      rmSync(pidFile, { force: true });
      stop.dispose();
    }
    if (stop.signal.aborted) {
      console.error(`\n${host}: VM stopped (${abortReason(stop.signal)}).`);
      process.exit(stopExitCode(abortReason(stop.signal)));
      return { success: false };
    }
    return { success: code === 0 };
  } catch (e) {
    console.error(`\nVM of ${options.host ?? context.projectName} failed: ${(e as Error).message}`);
    return { success: false };
  }
}
