// Pure argv builders of install: nixos-anywhere, the probe for an installed host, and the
// nix calls that find the disko script and the disks of a host.
import type { SshTarget } from '../ssh/argv';
import { sshDestination } from '../ssh/argv';

export interface NixosAnywhereArgs {
  target: Pick<SshTarget, 'host' | 'user' | 'port'>;
  diskoScript: string;
  toplevel: string;
  extraFiles: string;
  /** Local file with the LUKS passphrase, copied to /tmp/disk.key in the installer. */
  diskKeyFile?: string;
}

/** The install itself: everything from store paths nix-fleet built, nothing evaluated again. */
export function nixosAnywhereArgs(a: NixosAnywhereArgs): string[] {
  return [
    '--store-paths',
    a.diskoScript,
    a.toplevel,
    '--extra-files',
    a.extraFiles,
    ...(a.diskKeyFile ? ['--disk-encryption-keys', '/tmp/disk.key', a.diskKeyFile] : []),
    ...(a.target.port ? ['--ssh-port', String(a.target.port)] : []),
    '--target-host',
    sshDestination({ host: a.target.host, user: a.target.user ?? 'root' }),
  ];
}

/**
 * Boots the installer (kexec) and writes the detected hardware to `file`; touches no disk.
 * nixos-anywhere wants --flake or --store-paths even for this phase; without the machine's
 * substituters it does not evaluate the host, which cannot evaluate before its hardware exists.
 */
export function generateHardwareArgs(target: NixosAnywhereArgs['target'], file: string, flakeRef: string, host: string): string[] {
  return [
    '--flake',
    `${flakeRef}#${host}`,
    '--no-use-machine-substituters',
    '--phases',
    'kexec',
    '--generate-hardware-config',
    'nixos-generate-config',
    file,
    ...(target.port ? ['--ssh-port', String(target.port)] : []),
    '--target-host',
    sshDestination({ host: target.host, user: target.user ?? 'root' }),
  ];
}

/**
 * ssh to the target that succeeds only if it answers with the key pinned for `host` in the
 * fleet's known_hosts (and nothing else: no user known_hosts, no prompt), then prints the
 * running system. Success means the host is installed already.
 */
export function probeArgs(target: SshTarget, host: string, knownHosts: string): string[] {
  return [
    ...(target.configFile ? ['-F', target.configFile] : []),
    ...(target.port ? ['-p', String(target.port)] : []),
    '-o', `HostKeyAlias=${host}`,
    '-o', `GlobalKnownHostsFile=${knownHosts}`,
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${target.connectTimeout}`,
    // Its errors are read (probeAnswered): no config may silence them.
    '-o', 'LogLevel=ERROR',
    '-T', '--', sshDestination(target), 'readlink -f /run/current-system || true',
  ];
}

/**
 * Whether a failed probe still met the pinned key: ssh checks the host key before it logs in, so
 * "Permission denied" (the user may not log in, e.g. root on a host deployed as another user)
 * means the machine proved it is the host. A different key stops ssh with "Host key
 * verification failed" first; no connection says neither.
 */
export function probeAnswered(stderr: string): boolean {
  return !/Host key verification failed/.test(stderr) && /Permission denied|Too many authentication failures/.test(stderr);
}

/** The attribute path of a host's configuration in the flake. */
const config = (flakeRef: string, host: string, path: string) => `${flakeRef}#nixosConfigurations.${host}.config.${path}`;

export function diskoScriptBuildArgs(flakeRef: string, host: string): string[] {
  return ['build', '--json', '--no-link', config(flakeRef, host, 'system.build.diskoScript')];
}

export function disksEvalArgs(flakeRef: string, host: string): string[] {
  return ['eval', '--json', config(flakeRef, host, 'disko.devices.disk'), '--apply', 'disks: builtins.mapAttrs (name: disk: disk.device) disks'];
}
