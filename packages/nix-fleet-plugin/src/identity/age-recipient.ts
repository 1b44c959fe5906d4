// The age X25519 recipient of an ssh-ed25519 host key, as ssh-to-age derives it: the Edwards
// point's y maps to the Montgomery u = (1 + y) / (1 - y) mod p, bech32-encoded as "age1...".
// Done here because ssh-to-age is not packaged everywhere (Debian has none).
import { bech32Encode } from '../host/age-key';

const P = (1n << 255n) - 19n;

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** The 32-byte ed25519 key inside an OpenSSH public key line ("ssh-ed25519 AAAA... comment"). */
export function ed25519KeyBytes(publicKeyLine: string): Buffer {
  const [type, blob] = publicKeyLine.trim().split(/\s+/);
  if (type !== 'ssh-ed25519' || !blob) throw new Error(`Not an ssh-ed25519 public key: ${JSON.stringify(publicKeyLine.slice(0, 40))}.`);
  const raw = Buffer.from(blob, 'base64');
  const typeLen = raw.length >= 4 ? raw.readUInt32BE(0) : -1;
  const keyAt = 4 + typeLen;
  if (typeLen !== 11 || raw.toString('latin1', 4, keyAt) !== 'ssh-ed25519' || raw.length !== keyAt + 4 + 32 || raw.readUInt32BE(keyAt) !== 32) {
    throw new Error('The ssh-ed25519 public key is malformed (expected the type and 32 bytes of key).');
  }
  return raw.subarray(keyAt + 4);
}

/** Montgomery u of the Edwards point whose encoding is `key` (little-endian y, sign bit of x on top). */
export function edwardsToMontgomery(key: Buffer): Buffer {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(key[i]);
  y &= (1n << 255n) - 1n;
  if (y >= P || y === 1n) throw new Error('The ed25519 public key is not a valid curve point.');
  const u = ((1n + y) * modPow((1n - y + P) % P, P - 2n)) % P;
  const out = Buffer.alloc(32);
  let v = u;
  for (let i = 0; i < 32; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** "age1..." for an OpenSSH ed25519 public key line. */
export function ageRecipientFromSshKey(publicKeyLine: string): string {
  return bech32Encode('age', edwardsToMontgomery(ed25519KeyBytes(publicKeyLine)));
}
