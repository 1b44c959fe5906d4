// --hardware and the disk layout: every combination writes Nix that parses, flags are checked.
import { readJson, type Tree } from '@nx/devkit';
import { nixFilesIn, parseNixFiles } from '../../../testing/nix-parse';
import { treeWithProfiles } from '../../../testing/test-tree';
import { hostGenerator } from './generator';

describe('host generator --hardware', () => {
  let tree: Tree;
  beforeEach(() => (tree = treeWithProfiles()));

  it('makes a Proxmox VM a server with roles: qemu guest hardware, disko.nix, type server', async () => {
    await hostGenerator(tree, { name: 'web2', type: 'server', roles: 'web', hardware: 'qemu-vm' });
    expect(readJson(tree, 'hosts/web2/host.json')).toMatchObject({ type: 'server', roles: ['web'] });
    expect(tree.read('hosts/web2/hardware-configuration.nix', 'utf-8')).toContain('qemu-guest.nix');
    const disko = tree.read('hosts/web2/disko.nix', 'utf-8')!;
    expect(disko).toContain('disk = "/dev/vda";');
    expect(disko).toContain('rootLabel = "nixos";');
    expect(disko).toContain('format = "ext4";');
    expect(disko).not.toContain('luks');
    expect(disko).toContain('boot.loader.systemd-boot.enable = true;');
    expect(tree.read('hosts/web2/hardware-configuration.nix', 'utf-8')).not.toContain('boot.loader');
  });

  it('writes labels, the device, btrfs and LUKS from the flags', async () => {
    await hostGenerator(tree, {
      name: 'ares',
      type: 'laptop',
      hardware: 'generated',
      disk: '/dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S1234',
      filesystem: 'btrfs',
      encrypt: true,
      rootLabel: 'ares-root',
      bootLabel: 'ares-esp',
    });
    const disko = tree.read('hosts/ares/disko.nix', 'utf-8')!;
    expect(disko).toContain('disk = "/dev/disk/by-id/nvme-Samsung_SSD_980_1TB_S1234";');
    expect(disko).toContain('rootLabel = "ares-root";');
    expect(disko).toContain('bootLabel = "ares-esp";');
    expect(disko).toContain('type = "btrfs";');
    expect(disko).toContain('type = "luks";');
    expect(disko).toContain('passwordFile = "/tmp/disk.key";');
    const hardware = tree.read('hosts/ares/hardware-configuration.nix', 'utf-8')!;
    expect(hardware).toContain('is still the placeholder written by nx g host');
    expect(hardware).toContain('nx run ares:detect-hardware --target-host=root@<address>');
  });

  it.each([
    [{ hardware: 'qemu-vm' }, ['Disk layout: hosts/web2/disko.nix (installing wipes /dev/vda). Install with: nx run web2:install --target-host=root@<address>', "install adds web2's age key to .sops.yaml before its first boot."]],
    [{ hardware: 'generated', disk: '/dev/nvme0n1' }, ['Disk layout: hosts/web2/disko.nix (installing wipes /dev/nvme0n1). Install with: nx run web2:detect-hardware --target-host=root@<address>, then nx run web2:install --target-host=root@<address>']],
  ] as const)('says how to install a %j host', async (flags, lines) => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const done = await hostGenerator(tree, { name: 'web2', type: 'server', ...flags });
      done();
      const said = log.mock.calls.map((c) => String(c[0]));
      for (const line of lines) expect(said).toContain(line);
      expect(said.join('\n')).not.toContain('ssh-to-age');
    } finally {
      log.mockRestore();
    }
  });

  it('keeps an existing disko.nix on --force', async () => {
    await hostGenerator(tree, { name: 'web2', type: 'server', hardware: 'qemu-vm' });
    tree.write('hosts/web2/disko.nix', '# mine\n{ ... }: { }\n');
    await hostGenerator(tree, { name: 'web2', type: 'server', hardware: 'qemu-vm', disk: '/dev/sdb', force: true });
    expect(tree.read('hosts/web2/disko.nix', 'utf-8')).toBe('# mine\n{ ... }: { }\n');
  });

  it('writes no disko.nix for a placeholder, the default for laptops, desktops and servers', async () => {
    for (const [name, type] of [['l1', 'laptop'], ['d1', 'desktop'], ['s1', 'server']] as const) {
      await hostGenerator(tree, { name, type });
      expect(tree.exists(`hosts/${name}/disko.nix`)).toBe(false);
    }
  });

  it('writes Nix that nix-instantiate parses for every type, hardware, file system and encryption', async () => {
    let n = 0;
    for (const type of ['laptop', 'desktop', 'server'] as const) {
      for (const hardware of ['qemu-vm', 'generated'] as const) {
        for (const filesystem of ['ext4', 'btrfs'] as const) {
          for (const encrypt of [false, true]) await hostGenerator(tree, { name: `h${n++}`, type, hardware, filesystem, encrypt });
        }
      }
      await hostGenerator(tree, { name: `h${n++}`, type, hardware: 'placeholder' });
    }
    await hostGenerator(tree, { name: `h${n++}`, type: 'vm', filesystem: 'btrfs' });
    expect(nixFilesIn(tree, 'hosts').filter((f) => f.endsWith('disko.nix'))).toHaveLength(3 * 8 + 1);
    expect(await parseNixFiles(tree, nixFilesIn(tree, 'hosts'))).toEqual([]);
  });
});
