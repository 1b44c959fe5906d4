// The host key is looked up under the fleet host name (HostKeyAlias), not the address: a
// known_hosts that has the key only under the address (as before this rule, or as ssh-keyscan
// writes it) gets a message that says how to bind it, instead of ssh's bare verification error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { isNoFile, parseSshG } from './options';

const expand = (file: string) => file.replace(/^~(?=\/)/, homedir());

/** known_hosts files ssh reads for this target, as `ssh -G` gives them, that exist. */
export function knownHostsFiles(cfg: Record<string, string>): string[] {
  const files = [cfg.userknownhostsfile, cfg.globalknownhostsfile].flatMap((v) => (v ?? '').split(/\s+/)).map(expand);
  return files.filter((f, i) => files.indexOf(f) === i && f !== '/dev/null' && !isNoFile(f) && existsSync(f));
}

/** Whether any of `files` holds a key for `name` (hashed entries too). */
export function hasKnownKey(name: string, files: string[]): boolean {
  return files.some((f) => spawnSync('ssh-keygen', ['-F', name, '-f', f]).status === 0);
}

/**
 * Refuses, with the fix, a target whose known_hosts has no key under its fleet name while ssh
 * would not add one (accept-new adds it under the alias on first contact).
 */
export function checkKnownHostKey(sshG: string, alias: string): void {
  const cfg = parseSshG(sshG);
  if (cfg.hostkeyalias !== alias) return;
  const files = knownHostsFiles(cfg);
  if (hasKnownKey(alias, files)) return;
  if (cfg.stricthostkeychecking === 'accept-new') return;
  const port = cfg.port && cfg.port !== '22' ? cfg.port : undefined;
  const address = port ? `[${cfg.hostname}]:${port}` : cfg.hostname;
  const where = files.join(', ') || '~/.ssh/known_hosts';
  if (address && hasKnownKey(address, files)) {
    throw new Error(
      `known_hosts (${where}) has a key for ${address} but none for the host name "${alias}". nix-fleet looks host keys up under the ` +
        `fleet host name (ssh HostKeyAlias=${alias}), so an address that moves to another machine fails verification. If ${address} ` +
        `is still ${alias}, bind its key to the name: ssh-keygen -F '${address}' -f ${files[0]} | sed -n 's/^[^#][^ ]* /${alias} /p' >> ~/.ssh/known_hosts`,
    );
  }
  const key = `/tmp/${alias}.key`;
  throw new Error(
    `known_hosts (${where}) has no key for the host name "${alias}" (nix-fleet looks host keys up under the fleet host name, ssh HostKeyAlias=${alias}). ` +
      `Fetch it and check it: ssh-keyscan ${port ? `-p ${port} ` : ''}${cfg.hostname ?? alias} | sed 's/^[^ ]* /${alias} /' > ${key}; ssh-keygen -lf ${key}, ` +
      `and compare the fingerprint with the one the machine itself shows (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on its console); ` +
      `then add it: cat ${key} >> ${files[0] ?? '~/.ssh/known_hosts'}. Or, for a first contact you trust, set "StrictHostKeyChecking accept-new" ` +
      `with a "UserKnownHostsFile" path for that host in your ssh config (or the one NIX_FLEET_SSH_CONFIG names).`,
  );
}
