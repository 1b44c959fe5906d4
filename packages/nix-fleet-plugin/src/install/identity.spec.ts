// The host identity with the real ssh-keygen: the folder nixos-anywhere copies to /, its modes,
// the recipient of the key it holds, and its removal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageRecipientFromSshKey } from '../identity/age-recipient';
import { HOST_KEY_PATH, makeHostIdentity } from './identity';

describe('makeHostIdentity', () => {
  it('makes etc/ssh/ssh_host_ed25519_key (0600) in a private temporary folder and removes it', async () => {
    const id = await makeHostIdentity('web2');
    try {
      expect(id.extraFiles.startsWith(tmpdir())).toBe(true);
      expect(statSync(id.extraFiles).mode & 0o777).toBe(0o700);
      expect(statSync(join(id.extraFiles, 'etc/ssh')).mode & 0o777).toBe(0o755);
      expect(statSync(join(id.extraFiles, HOST_KEY_PATH)).mode & 0o777).toBe(0o600);
      expect(statSync(join(id.extraFiles, `${HOST_KEY_PATH}.pub`)).mode & 0o777).toBe(0o644);
      expect(id.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ root@web2$/);
      expect(readFileSync(join(id.extraFiles, `${HOST_KEY_PATH}.pub`), 'utf-8').trim()).toBe(id.publicKey);
      expect(id.ageRecipient).toBe(ageRecipientFromSshKey(id.publicKey));
    } finally {
      id.remove();
    }
    expect(existsSync(id.extraFiles)).toBe(false);
  });

  it('makes a new key every time', async () => {
    const [a, b] = [await makeHostIdentity('web2'), await makeHostIdentity('web2')];
    a.remove();
    b.remove();
    expect(a.publicKey).not.toBe(b.publicKey);
  });

  it('removes the folders an install killed by SIGKILL left behind, and only those', async () => {
    // A process that has ended: its folders have no owner left to remove them.
    const dead = spawnSync('true').pid;
    const left = join(tmpdir(), `nix-fleet-identity-web9-${dead}-AbC123`);
    const running = join(tmpdir(), `nix-fleet-identity-web9-${process.pid}-XyZ789`);
    const other = join(tmpdir(), `nix-fleet-identity-web9-notapid`);
    for (const d of [left, running, other]) mkdirSync(join(d, 'etc/ssh'), { recursive: true, mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(left, HOST_KEY_PATH)]);
    try {
      const id = await makeHostIdentity('web2');
      id.remove();
      expect(id.extraFiles).toContain(`-${process.pid}-`);
      expect(existsSync(left)).toBe(false);
      expect(existsSync(running)).toBe(true);
      expect(existsSync(other)).toBe(true);
    } finally {
      for (const d of [left, running, other]) rmSync(d, { recursive: true, force: true });
    }
  });
});
