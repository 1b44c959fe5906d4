// Checked with real tools: a key from ssh-keygen, a file age encrypts to the derived recipient,
// decrypted by age with the X25519 identity the host derives from its ssh private key (what
// sops-nix does with sops.age.sshKeyPaths). `age -i <ssh key>` alone cannot be the check: age
// then only matches ssh-ed25519 stanzas, never the X25519 ones an age1 recipient makes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAgeKey } from '../generators/host/sops';
import { ageIdentityFromSshPrivateKey } from '../../testing/age-identity';
import { ageRecipientFromSshKey, ed25519KeyBytes } from './age-recipient';

describe('ageRecipientFromSshKey', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'nix-fleet-age-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([1, 2, 3])('derives a recipient age encrypts to and the ssh key decrypts (key %i)', (n) => {
    const key = join(dir, `key${n}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `host${n}`, '-f', key]);
    const recipient = ageRecipientFromSshKey(readFileSync(`${key}.pub`, 'utf-8'));
    expect(checkAgeKey(recipient)).toBe(recipient);
    // age computes the public key of the identity by X25519 itself: an independent check of the map.
    const identity = join(dir, `identity${n}`);
    writeFileSync(identity, `${ageIdentityFromSshPrivateKey(readFileSync(key, 'utf-8'))}\n`, { mode: 0o600 });
    expect(execFileSync('age-keygen', ['-y', identity], { encoding: 'utf-8' }).trim()).toBe(recipient);
    const secret = `secret ${n} $(id) \`x\`\n`;
    writeFileSync(join(dir, 'plain'), secret);
    execFileSync('age', ['-r', recipient, '-o', join(dir, `enc${n}`), join(dir, 'plain')]);
    expect(execFileSync('age', ['-d', '-i', identity, join(dir, `enc${n}`)], { encoding: 'utf-8' })).toBe(secret);
  });

  it('gives a recipient another key cannot decrypt for', () => {
    const [a, b] = ['a', 'b'].map((k) => join(dir, `other-${k}`));
    for (const k of [a, b]) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]);
    writeFileSync(join(dir, 'plain2'), 'x');
    writeFileSync(join(dir, 'identity-b'), `${ageIdentityFromSshPrivateKey(readFileSync(b, 'utf-8'))}\n`, { mode: 0o600 });
    execFileSync('age', ['-r', ageRecipientFromSshKey(readFileSync(`${a}.pub`, 'utf-8')), '-o', join(dir, 'enc-a'), join(dir, 'plain2')]);
    expect(() => execFileSync('age', ['-d', '-i', join(dir, 'identity-b'), join(dir, 'enc-a')], { stdio: 'pipe' })).toThrow();
  });

  it.each([
    ['ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ host', /Not an ssh-ed25519/],
    ['ssh-ed25519', /Not an ssh-ed25519/],
    ['', /Not an ssh-ed25519/],
    [`ssh-ed25519 ${Buffer.from('short').toString('base64')}`, /malformed/],
  ])('refuses %j', (line, message) => {
    expect(() => ed25519KeyBytes(line)).toThrow(message);
  });
});
