// Test-only: the age identity a host derives from its ssh-ed25519 private key (as sops-nix does
// with sops.age.sshKeyPaths), so tests can decrypt with real age what was encrypted to the
// recipient nix-fleet derived from the public key.
import { createHash } from 'node:crypto';
import { bech32Encode } from '../src/host/age-key';

/** The age identity of an unencrypted OpenSSH ed25519 private key: SHA-512 of its seed, clamped. */
export function ageIdentityFromSshPrivateKey(pem: string): string {
  const raw = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  // The blob is length-prefixed strings (and two 4-byte integers) read in order.
  let buf = raw;
  let at = 'openssh-key-v1\0'.length;
  const str = () => {
    const len = buf.readUInt32BE(at);
    at += 4 + len;
    return buf.subarray(at - len, at);
  };
  str(); // cipher: "none" for a key without passphrase
  str(); // kdf
  str(); // kdf options
  at += 4; // number of keys: 1
  str(); // public key
  buf = str(); // the private part: check integers, type, public key, seed || public key, comment
  at = 8;
  str();
  str();
  const seed = str().subarray(0, 32);
  const scalar = createHash('sha512').update(seed).digest().subarray(0, 32);
  scalar[0] &= 248;
  scalar[31] &= 127;
  scalar[31] |= 64;
  return bech32Encode('age-secret-key-', scalar).toUpperCase();
}
