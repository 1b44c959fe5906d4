// A host's identity before its first boot: its SSH host key, made on the deploying machine in a
// private temporary folder laid out as the host's root (etc/ssh/...), handed to nixos-anywhere
// with --extra-files and deleted afterwards (after a signal too; one a SIGKILL left behind is
// deleted by the next install). Never in the repository, the store or an Nx output.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../deploy/lock';
import { ageRecipientFromSshKey } from '../identity/age-recipient';
import { run } from '../process/run';

export const HOST_KEY_PATH = 'etc/ssh/ssh_host_ed25519_key';

export interface HostIdentity {
  /** The folder for --extra-files: its contents are copied to / on the new system. */
  extraFiles: string;
  /** "ssh-ed25519 AAAA... root@<host>". */
  publicKey: string;
  /** age1...: what sops encrypts the host's secrets to (sops-nix derives the same from the key). */
  ageRecipient: string;
  remove(): void;
}

export function sshKeygenArgs(file: string, host: string): string[] {
  return ['-q', '-t', 'ed25519', '-N', '', '-C', `root@${host}`, '-f', file];
}

/** nix-fleet-identity-<host>-<pid of the install>-XXXXXX */
const FOLDER = /^nix-fleet-identity-[a-z0-9-]+-([0-9]+)-[A-Za-z0-9]{6}$/;

/** Private keys of installs that were killed (SIGKILL, power loss) before they could remove them. */
export function removeAbandonedIdentities(dir = tmpdir()): void {
  const uid = process.getuid?.();
  for (const name of readdirSync(dir)) {
    const pid = FOLDER.exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    const path = join(dir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory() && stat.uid === uid) rmSync(path, { recursive: true, force: true });
  }
}

export async function makeHostIdentity(host: string): Promise<HostIdentity> {
  removeAbandonedIdentities();
  const extraFiles = mkdtempSync(join(tmpdir(), `nix-fleet-identity-${host}-${process.pid}-`));
  try {
    chmodSync(extraFiles, 0o700);
    mkdirSync(join(extraFiles, 'etc/ssh'), { recursive: true, mode: 0o755 });
    chmodSync(join(extraFiles, 'etc'), 0o755);
    const key = join(extraFiles, HOST_KEY_PATH);
    await run('ssh-keygen', sshKeygenArgs(key, host));
    // nixos-anywhere copies modes as they are; sshd refuses a host key others can read.
    chmodSync(key, 0o600);
    chmodSync(`${key}.pub`, 0o644);
    const publicKey = readFileSync(`${key}.pub`, 'utf-8').trim();
    // Also when the executor's process ends without reaching its finally (process.exit).
    const remove = () => rmSync(extraFiles, { recursive: true, force: true });
    process.once('exit', remove);
    return {
      extraFiles,
      publicKey,
      ageRecipient: ageRecipientFromSshKey(publicKey),
      remove: () => {
        process.removeListener('exit', remove);
        remove();
      },
    };
  } catch (e) {
    rmSync(extraFiles, { recursive: true, force: true });
    throw e;
  }
}
