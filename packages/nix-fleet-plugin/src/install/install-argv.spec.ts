// Exact argv of nixos-anywhere and of the probe for an installed host.
import { diskoScriptBuildArgs, disksEvalArgs, generateHardwareArgs, nixosAnywhereArgs, probeAnswered, probeArgs } from './install-argv';

const disko = '/nix/store/aaaa-disko';
const system = '/nix/store/bbbb-nixos-system-web2';

describe('nixosAnywhereArgs', () => {
  it.each([
    [{ host: '10.0.0.12' }, undefined, ['--store-paths', disko, system, '--extra-files', '/tmp/id', '--target-host', 'root@10.0.0.12']],
    [
      { host: 'web2.lan', user: 'nixos', port: 2222 },
      '/home/me/disk.key',
      ['--store-paths', disko, system, '--extra-files', '/tmp/id', '--disk-encryption-keys', '/tmp/disk.key', '/home/me/disk.key', '--ssh-port', '2222', '--target-host', 'nixos@web2.lan'],
    ],
    [{ host: '2001:db8::7' }, undefined, ['--store-paths', disko, system, '--extra-files', '/tmp/id', '--target-host', 'root@2001:db8::7']],
  ])('installs %j from store paths', (target, diskKeyFile, expected) => {
    expect(nixosAnywhereArgs({ target, diskoScript: disko, toplevel: system, extraFiles: '/tmp/id', diskKeyFile })).toEqual(expected);
  });

  it('detects hardware in the installer only (kexec phase), into the host folder', () => {
    expect(generateHardwareArgs({ host: '10.0.0.12', port: 22 }, '/ws/hosts/web2/hardware-configuration.nix', 'path:/ws', 'web2')).toEqual([
      '--flake', 'path:/ws#web2', '--no-use-machine-substituters', '--phases', 'kexec', '--generate-hardware-config', 'nixos-generate-config', '/ws/hosts/web2/hardware-configuration.nix', '--ssh-port', '22', '--target-host', 'root@10.0.0.12',
    ]);
  });
});

describe('probeArgs', () => {
  it('accepts only the key pinned for the host name in the fleet known_hosts', () => {
    expect(probeArgs({ host: '10.0.0.12', user: 'root', sshOptions: [], connectTimeout: 5, configFile: '/etc/fleet-ssh' }, 'web2', '/ws/known_hosts')).toEqual([
      '-F', '/etc/fleet-ssh',
      '-o', 'HostKeyAlias=web2',
      '-o', 'GlobalKnownHostsFile=/ws/known_hosts',
      '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes',
      '-o', 'ConnectTimeout=5',
      '-o', 'LogLevel=ERROR',
      '-T', '--', 'root@10.0.0.12', 'readlink -f /run/current-system || true',
    ]);
  });
});

describe('nix calls', () => {
  it('builds the disko script and reads the disks of the host', () => {
    expect(diskoScriptBuildArgs('path:/ws', 'web2')).toEqual(['build', '--json', '--no-link', 'path:/ws#nixosConfigurations.web2.config.system.build.diskoScript']);
    expect(disksEvalArgs('path:/ws', 'web2')).toEqual([
      'eval', '--json', 'path:/ws#nixosConfigurations.web2.config.disko.devices.disk', '--apply', 'disks: builtins.mapAttrs (name: disk: disk.device) disks',
    ]);
  });
});

describe('probeAnswered', () => {
  it.each([
    ['nobody@10.0.0.12: Permission denied (publickey).\r\n', true],
    ['Received disconnect from 10.0.0.12 port 22:2: Too many authentication failures\n', true],
    ['No ED25519 host key is known for web2 and you have requested strict checking.\r\nHost key verification failed.\r\n', false],
    ['@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\nPermission denied\nHost key verification failed.\n', false],
    ['ssh: connect to host 10.0.0.12 port 22: Connection refused\r\n', false],
    ['ssh: connect to host 10.0.0.12 port 22: Connection timed out\r\n', false],
    ['', false],
  ])('%j: the pinned key answered = %s', (stderr, answered) => expect(probeAnswered(stderr)).toBe(answered));
});
