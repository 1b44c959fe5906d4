// Names, globs and paths shared by inference, generators and executors.
export const PLUGIN_NAME = '@nix-fleet/nx';
export const HOSTS_DIR = 'hosts';
export const HOST_FILE = 'host.json';
export const HOST_GLOB = `${HOSTS_DIR}/*/${HOST_FILE}`;
export const PROFILES_ROOT = 'packages/profiles';
export const PROFILES_GLOB = `${PROFILES_ROOT}/default.nix`;
export const PROFILES_PROJECT = 'profiles';
export const DIST_HOSTS = 'dist/hosts';
/** Tag of a host whose host.json does not load: `nx show projects -p tag:nix-fleet:invalid`. */
export const INVALID_TAG = 'nix-fleet:invalid';

/**
 * The one table of target names: the targets every host project gets, each with the nx.json
 * option that renames it and its default name. Read by the graph, the option rule, the
 * summaries (through the normalized options), reserved host names and the fleet's docs.
 */
export const HOST_TARGET_NAMES = {
  evalTargetName: 'eval',
  buildTargetName: 'build',
  closureSizeTargetName: 'closure-size',
  deployTargetName: 'deploy',
  rollbackTargetName: 'rollback',
  generationsTargetName: 'generations',
  execTargetName: 'exec',
} as const;
/** A machine's first day: install, hardware detection and trying the host in a local VM. */
export const INSTALL_TARGET_NAMES = {
  installTargetName: 'install',
  detectHardwareTargetName: 'detect-hardware',
  vmTargetName: 'vm',
  vmBuildTargetName: 'vm-build',
} as const;
export const TARGET_NAME_DEFAULTS = { ...HOST_TARGET_NAMES, ...INSTALL_TARGET_NAMES } as const;
export type TargetNameOption = keyof typeof TARGET_NAME_DEFAULTS;

export const HOST_TYPES = ['laptop', 'desktop', 'server', 'vm'] as const;
export type HostType = (typeof HOST_TYPES)[number];
export const HOST_SYSTEMS = ['x86_64-linux', 'aarch64-linux'] as const;

/** The host name, checked before it names a file or goes into a Nix expression. */
export function checkedHostName(host: string): string {
  if (!HOSTNAME_PATTERN.test(host)) throw new Error(`"${host}" is not a valid host name (lowercase letters, digits and "-").`);
  return host;
}

/** Where a host's build record lives, relative to the workspace root; never outside dist/hosts. */
export function hostDistDir(host: string): string {
  return `${DIST_HOSTS}/${checkedHostName(host)}`;
}

/** RFC 1123 label: what NixOS accepts for networking.hostName. */
export const HOSTNAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
