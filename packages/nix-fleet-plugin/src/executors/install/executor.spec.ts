// The install executor's refusals that need no machine: each names the fix, and nothing runs.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import installExecutor, { checkDiskKeyFile, installTarget, parseDisks } from './executor';

describe('install executor', () => {
  const { root, context, errors, hostJson } = executorWorkspace('install', 'web2');

  it('refuses a host without disko.nix, naming the generator flag that writes one', async () => {
    hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: '10.0.0.12' } });
    expect(await installExecutor({ yes: true }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('hosts/web2/disko.nix is missing: install partitions from it. Write one with "nx g @nix-fleet/nx:host web2 --type=server --hardware=qemu-vm --force"');
  });

  it('refuses a host with no address', async () => {
    hostJson({ type: 'server', system: 'x86_64-linux' });
    mkdirSync(join(root, 'hosts/web2'), { recursive: true });
    writeFileSync(join(root, 'hosts/web2/disko.nix'), '{ ... }: { }\n');
    expect(await installExecutor({}, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('No address for web2: pass --target-host=root@<address>');
  });

  it.each([
    [{ targetHost: '-oProxyCommand=id' }, /starts with "-"/],
    [{ targetHost: 'root@10.0.0.5', connectTimeout: 0 }, /--connect-timeout=0 is not a number of seconds/],
  ])('refuses %j', (options, message) => {
    expect(() => installTarget(options, 'web2', undefined)).toThrow(message);
  });

  it('takes root as the user unless one is given, and the port', () => {
    expect(installTarget({}, 'web2', '10.0.0.12')).toMatchObject({ host: '10.0.0.12', user: 'root', port: undefined });
    expect(installTarget({ targetHost: 'nixos@[2001:db8::7]:2222' }, 'web2', '10.0.0.12')).toMatchObject({ host: '2001:db8::7', user: 'nixos', port: 2222 });
  });

  it('asks for the passphrase file of a LUKS layout, and takes it relative to the workspace', () => {
    const luks = 'content = { type = "luks"; passwordFile = "/tmp/disk.key"; };';
    expect(() => checkDiskKeyFile(luks, undefined, root)).toThrow('disko.nix encrypts the disk with the passphrase from /tmp/disk.key: pass --disk-key-file=');
    expect(() => checkDiskKeyFile(luks, 'missing.key', root)).toThrow('--disk-key-file missing.key does not exist.');
    writeFileSync(join(root, 'disk.key'), 'pass', { mode: 0o600 });
    chmodSync(join(root, 'disk.key'), 0o600);
    expect(checkDiskKeyFile(luks, 'disk.key', root)).toBe(join(root, 'disk.key'));
    expect(checkDiskKeyFile('content = { type = "filesystem"; };', undefined, root)).toBeUndefined();
  });

  it('refuses a passphrase file others can read, a link or no regular file, by name and before anything runs', () => {
    const luks = 'passwordFile = "/tmp/disk.key";';
    writeFileSync(join(root, 'open.key'), 'pass');
    chmodSync(join(root, 'open.key'), 0o644);
    expect(() => checkDiskKeyFile(luks, 'open.key', root)).toThrow('--disk-key-file open.key can be read by other users (mode 644): chmod 600 open.key');
    chmodSync(join(root, 'open.key'), 0o640);
    expect(() => checkDiskKeyFile(luks, 'open.key', root)).toThrow('(mode 640)');
    writeFileSync(join(root, 'real.key'), 'pass', { mode: 0o600 });
    symlinkSync(join(root, 'real.key'), join(root, 'link.key'));
    expect(() => checkDiskKeyFile(luks, 'link.key', root)).toThrow('--disk-key-file link.key is a symbolic link: give the file itself');
    expect(() => checkDiskKeyFile(luks, 'hosts', root)).toThrow('--disk-key-file hosts is not a regular file');
    writeFileSync(join(root, 'empty.key'), '', { mode: 0o600 });
    expect(() => checkDiskKeyFile(luks, 'empty.key', root)).toThrow('--disk-key-file empty.key is empty');
    // A file for a layout that has no LUKS would be copied for nothing: say so instead.
    expect(() => checkDiskKeyFile('type = "filesystem";', 'real.key', root)).toThrow('--disk-key-file is for a disko.nix with LUKS (nx g host --encrypt)');
  });

  it('refuses a workspace whose path has whitespace once a host is pinned: ssh would split known_hosts and never see the pin', async () => {
    const spaced = join(root, 'my fleet');
    mkdirSync(join(spaced, 'hosts/web2'), { recursive: true });
    writeFileSync(join(spaced, 'hosts/web2/host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux' }));
    writeFileSync(join(spaced, 'hosts/web2/disko.nix'), '{ ... }: { }\n');
    writeFileSync(join(spaced, 'known_hosts'), 'web2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n');
    // Port 1 on loopback: nothing listens, nothing leaves this machine.
    expect(await installExecutor({ targetHost: 'root@127.0.0.1:1', yes: true }, { ...context, root: spaced, cwd: spaced })).toEqual({ success: false });
    expect(errors.join('\n')).toContain(`The fleet's known_hosts ${join(spaced, 'known_hosts')} has whitespace in its path`);
  });

  it('names every disk of the evaluated layout with its device', () => {
    expect(parseDisks('{"main":"/dev/vda","data":"/dev/disk/by-id/ata-X"}')).toEqual(['main (/dev/vda)', 'data (/dev/disk/by-id/ata-X)']);
  });
});
