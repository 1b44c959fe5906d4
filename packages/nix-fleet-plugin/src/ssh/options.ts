// ssh options from host.json and flags: an allowlist, then a check of what ssh really ends up with.
//
// Inventory data is untrusted (docs/Architecture.md, decision 10): no option that runs a command (ProxyCommand,
// LocalCommand, KnownHostsCommand, Match exec via -F, RemoteCommand, PermitLocalCommand), reads
// another config file, forwards ports or agents, or touches host key checking may come from it.
// The deploying machine's own ssh config (~/.ssh/config, or NIX_FLEET_SSH_CONFIG) is the
// operator's and is used as it is; but whatever the source, a deploy whose effective config
// (`ssh -G`) would not check host keys is refused.

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';

/**
 * `-o` keys inventory may set (compared case-insensitively, as ssh does). Not here: what the
 * deploy sets itself and ssh would take from inventory first (User and Port: targetUser and
 * port; ConnectTimeout and the keep-alives: --connectTimeout and dead-link detection;
 * HostKeyAlias: the fleet host name, which binds the host key to the host), and algorithm
 * lists, which could bring back weak host key or key exchange algorithms.
 */
export const ALLOWED_SSH_KEYS = [
  'AddressFamily',
  'CertificateFile',
  'Compression',
  'ConnectionAttempts',
  'IdentitiesOnly',
  'IdentityFile',
  'IPQoS',
  'LogLevel',
  'PreferredAuthentications',
  'ProxyJump',
  'RekeyLimit',
];
/** Flags without a value, and flags whose value is the next item (or joined: -iKEY). */
const BARE_FLAGS = ['-4', '-6', '-C', '-q'];
const VALUE_FLAGS: Record<string, string> = { '-i': 'IdentityFile', '-J': 'ProxyJump', '-o': '' };

const USER = /^[a-z_][a-z0-9_-]*$/;
const HOST = /^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$|^\[[0-9A-Fa-f:.]+\]$/;
/** One ProxyJump hop, [user@]host[:port]: ssh turns ProxyJump into a command line, so nothing else. */
function isJumpHop(hop: string): boolean {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d{1,5}))?$/.exec(hop);
  return !!m && (m[1] === undefined || USER.test(m[1])) && HOST.test(m[2]) && (m[3] === undefined || (Number(m[3]) >= 1 && Number(m[3]) <= 65535));
}

function checkValue(key: string, value: string, where: string): void {
  const lower = key.toLowerCase();
  const bad = (why: string) => new Error(`${where}: ${key}=${JSON.stringify(value)} ${why}`);
  if (value === '' || value.startsWith('-') || /[\s\0]/.test(value)) throw bad('is empty, starts with "-" or contains whitespace.');
  // ProxyJump=none (no jump host) passes as a host name.
  if (lower === 'proxyjump' && !value.split(',').every(isJumpHop)) {
    throw bad('is not a list of [user@]host[:port] jump hosts (e.g. ProxyJump=admin@bastion.lan:2222).');
  }
  if (lower !== 'identityfile' && lower !== 'certificatefile' && /[%$`'"\\;&|<>(){}]/.test(value)) throw bad('contains characters ssh or a shell would expand.');
}

/**
 * Checks ssh options from `where` (e.g. "hosts/web1/host.json deployment.sshOptions") against
 * the allowlist; returns them unchanged or throws naming the option and what is allowed.
 */
export function checkSshOptions(options: string[], where: string): string[] {
  const allowed = new Map(ALLOWED_SSH_KEYS.map((k) => [k.toLowerCase(), k]));
  const refuse = (item: string) =>
    new Error(
      `${where}: ${JSON.stringify(item)} is not an allowed ssh option. Allowed: ${BARE_FLAGS.join(' ')}, ` +
        `${Object.keys(VALUE_FLAGS).join(' ')} VALUE, and -o KEY=VALUE with KEY one of ${ALLOWED_SSH_KEYS.join(', ')}. ` +
        `Anything else (ProxyCommand, -F, host key settings, forwarding) belongs in the deploying machine's own ssh config (~/.ssh/config or NIX_FLEET_SSH_CONFIG).`,
    );
  for (let i = 0; i < options.length; i++) {
    const item = options[i];
    if (typeof item !== 'string') throw refuse(String(item));
    if (BARE_FLAGS.includes(item)) continue;
    const flag = item.slice(0, 2);
    if (!(flag in VALUE_FLAGS)) throw refuse(item);
    let value = item.slice(2);
    if (value === '') {
      value = options[++i];
      if (value === undefined) throw new Error(`${where}: ${item} needs a value after it.`);
    }
    if (flag === '-o') {
      const m = /^([A-Za-z]+)=(.*)/s.exec(value);
      if (!m) throw new Error(`${where}: -o ${JSON.stringify(value)} must be written KEY=VALUE (no spaces: Nix passes ssh options split on whitespace).`);
      const key = allowed.get(m[1].toLowerCase());
      if (!key) throw refuse(`-o ${value}`);
      checkValue(key, m[2], where);
    } else {
      checkValue(VALUE_FLAGS[flag], value, where);
    }
  }
  return options;
}

/** ssh's word for "no known_hosts file" (UserKnownHostsFile none, in any case), not a file name. */
export function isNoFile(value: string): boolean {
  return value.toLowerCase() === 'none';
}

/** Reads `ssh -G` output ("key value" lines, keys in lowercase). */
export function parseSshG(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0 && !(line.slice(0, sp) in out)) out[line.slice(0, sp)] = line.slice(sp + 1).trim();
  }
  return out;
}

/**
 * A known_hosts file accept-new can remember a key in: a regular file ssh may write, or one it may
 * make in a folder that exists (ssh silently drops a key it cannot write, and then accepts the
 * next too): not /dev/null however spelled, /dev/full or a folder.
 * `none` is no file: ssh then reads and writes no user known_hosts at all.
 */
function canRemember(file: string): boolean {
  if (isNoFile(file)) return false;
  const path = resolve(file.replace(/^~(?=\/)/, homedir()));
  try {
    // A file that is there: a regular file ssh may append to (not a folder, /dev/null, /dev/full).
    if (existsSync(path)) {
      accessSync(path, constants.W_OK);
      return statSync(path).isFile();
    }
    // One still to be made: in a folder ssh may write in.
    accessSync(dirname(path), constants.W_OK);
    return statSync(dirname(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Refuses an effective ssh config that would not check host keys: StrictHostKeyChecking off
 * (no, off or false all print "false"), or accept-new whose first known_hosts file (the one ssh
 * adds keys to) cannot keep them, so that every connection would meet the key as new.
 */
export function checkHostKeyPolicy(sshG: string, host: string): void {
  const cfg = parseSshG(sshG);
  // No line: ssh's default, ask, which checks.
  const strict = cfg.stricthostkeychecking;
  const userFiles = (cfg.userknownhostsfile ?? '').split(/\s+/).filter(Boolean);
  // ssh adds a new key to the first file only: a second one that could keep it never gets it.
  const nowhere = userFiles.length === 0 || !canRemember(userFiles[0]);
  if (strict === 'false' || (strict === 'accept-new' && nowhere)) {
    throw new Error(
      `ssh to ${host} would not check its host key (StrictHostKeyChecking ${strict}, UserKnownHostsFile ${userFiles.join(' ') || 'default'}). ` +
        `nix-fleet refuses: put the host key in known_hosts (ssh-keyscan ${host} >> ~/.ssh/known_hosts, after checking it) and remove the setting from your ssh config or sshOptions.`,
    );
  }
}
