// The age X25519 recipient of an ssh-ed25519 host key, as ssh-to-age derives it: the Edwards
// point's y maps to the Montgomery u = (1 + y) / (1 - y) mod p, bech32-encoded as "age1...".
// Done here because ssh-to-age is not packaged everywhere (Debian has none).

const P = (1n << 255n) - 19n;
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

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

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GEN[i];
  }
  return chk;
}

/** BIP-173 bech32 (not bech32m, as age uses) of `data` bytes under `hrp`. */
export function bech32Encode(hrp: string, data: Buffer): string {
  const words: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of data) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  const expanded = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31)];
  const mod = polymod([...expanded, ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => BECH32[w]).join('')}`;
}

/** "age1..." for an OpenSSH ed25519 public key line. */
export function ageRecipientFromSshKey(publicKeyLine: string): string {
  return bech32Encode('age', edwardsToMontgomery(ed25519KeyBytes(publicKeyLine)));
}
