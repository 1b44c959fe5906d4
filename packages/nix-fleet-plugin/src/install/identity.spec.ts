// The host identity with the real ssh-keygen: the folder nixos-anywhere copies to /, its modes,
// the recipient of the key it holds, and its removal.
import { existsSync, readFileSync, statSync } from 'node:fs';
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
});
