// The fleet's known_hosts (known_hosts at the workspace root, tracked by git): host keys made
// by install, pinned under the host's NAME. ssh finds them by HostKeyAlias=<host>; every ssh
// call of the fleet reads this file as its GlobalKnownHostsFile, beside the operator's own.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FLEET_KNOWN_HOSTS = 'known_hosts';

export function fleetKnownHostsPath(root: string): string {
  return join(root, FLEET_KNOWN_HOSTS);
}

/** The file for GlobalKnownHostsFile when the fleet has one; Nix splits ssh options on whitespace. */
export function fleetKnownHostsOption(root: string): string | undefined {
  const file = fleetKnownHostsPath(root);
  if (!existsSync(file)) return undefined;
  if (/\s/.test(file)) throw new Error(`The fleet's known_hosts ${file} has whitespace in its path; Nix passes ssh options split on whitespace. Move the workspace to a path without spaces.`);
  return file;
}

/** The names a known_hosts line is for, as ssh reads it: a comma list; markers (@revoked...) and comments pin nothing. */
function namesOf(line: string): string[] {
  return /^\s*[#@]/.test(line) ? [] : line.trim().split(/\s+/)[0].split(',');
}

/** "ssh-ed25519 AAAA..." pinned for `host`, if any. */
export function pinnedKey(root: string, host: string): string | undefined {
  const file = fleetKnownHostsPath(root);
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf-8').split('\n').find((l) => namesOf(l).includes(host));
  return line?.trim().split(/\s+/).slice(1, 3).join(' ');
}

/** Pins `publicKey` for `host`, replacing an older pin of that host; other lines stay as they are. */
export function pinHostKey(root: string, host: string, publicKey: string): void {
  const file = fleetKnownHostsPath(root);
  const [type, key] = publicKey.trim().split(/\s+/);
  const kept = existsSync(file) ? readFileSync(file, 'utf-8').split('\n').filter((l) => l !== '' && !namesOf(l).includes(host)) : ['# Host keys of the fleet, pinned by "nx run <host>:install" under the host name (HostKeyAlias).'];
  writeFileSync(file, [...kept, `${host} ${type} ${key}`, ''].join('\n'));
}
