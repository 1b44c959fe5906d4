// age keys: recipient checks (bech32 with its checksum) and an identity's recipient, in plain Node.
// Imports nothing from Nx, so create-nix-fleet checks --admin-age-key with it before npm runs.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { GeneratorInputError } from './names';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const KEY_FILE_MAX = 1 << 20;
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** An age X25519 recipient: "age1" and 58 bech32 characters (32 bytes of key, 6 of checksum). */
const RECIPIENT = new RegExp(`^age1[${CHARSET}]{58}$`);
const IDENTITY = new RegExp(`^AGE-SECRET-KEY-1[${CHARSET.toUpperCase()}]{58}$`);

function polymod(hrp: string, data: number[]): number {
  const values = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...data];
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    GEN.forEach((g, i) => {
      if ((top >>> i) & 1) chk ^= g;
    });
  }
  return chk;
}

/** Regroups bits (8 -> 5 to encode, 5 -> 8 to decode); undefined when padding is not zero. */
function convertBits(data: number[], from: number, to: number, pad: boolean): number[] | undefined {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & ((1 << to) - 1));
    }
  }
  if (pad && bits > 0) out.push((acc << (to - bits)) & ((1 << to) - 1));
  else if (!pad && (bits >= from || ((acc << (to - bits)) & ((1 << to) - 1)) !== 0)) return undefined;
  return out;
}

/**
 * The 32 key bytes of a lowercase bech32 string with prefix hrp, or undefined (bad checksum).
 * Its callers have matched RECIPIENT or IDENTITY: every character is in CHARSET.
 */
function decode(text: string, hrp: string): Buffer | undefined {
  const data = [...text.slice(hrp.length + 1)].map((c) => CHARSET.indexOf(c));
  if (polymod(hrp, data) !== 1) return undefined;
  const bytes = convertBits(data.slice(0, -6), 5, 8, false);
  return bytes?.length === 32 ? Buffer.from(bytes) : undefined;
}

/** Bech32 (BIP-173, as age uses: not bech32m) of 32 key bytes under `hrp`. */
export function bech32Encode(hrp: string, bytes: Buffer): string {
  const data = convertBits([...bytes], 8, 5, true) ?? [];
  const mod = polymod(hrp, [...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((v) => CHARSET[v]).join('')}`;
}

/** True for a well-formed age recipient whose checksum holds (a typo fails even when it looks right). */
export function isAgeRecipient(key: string): boolean {
  return RECIPIENT.test(key) && decode(key, 'age') !== undefined;
}

/** The trimmed recipient, or an error naming the flag and where a right value comes from. */
export function checkAgeRecipient(key: string, flag: string, howToGet: string): string {
  const trimmed = key.trim();
  if (trimmed === '') {
    // Typically --flag="$(command)" whose command failed: refused, not taken as "no key".
    throw new GeneratorInputError(`${flag} is empty (did the command that prints the key fail?): give an age public key, e.g. ${flag}="$(${howToGet})", or leave the flag out.`);
  }
  const hrp = trimmed.slice(0, trimmed.lastIndexOf('1'));
  // Lowercase letters and digits alone, under a prefix longer than "age": age1yubikey1..., age1pq1...
  if (/^[a-z0-9]+$/.test(trimmed) && /^age1./.test(hrp)) {
    throw new GeneratorInputError(
      `Invalid ${flag} "${key}": an age plugin or post-quantum recipient (${hrp}1...), which is not supported here: give an X25519 age public key ("age1" and 58 lowercase bech32 characters), e.g. ${flag}="$(${howToGet})".`,
    );
  }
  if (!isAgeRecipient(trimmed)) {
    throw new GeneratorInputError(
      `Invalid ${flag} "${key}": give an age public key ("age1" and 58 lowercase bech32 characters with a valid checksum), e.g. ${flag}="$(${howToGet})".`,
    );
  }
  return trimmed;
}

/** The recipient (public key) of an age identity "AGE-SECRET-KEY-1...": X25519 in node:crypto, as age-keygen -y does. */
export function ageRecipientOf(identity: string): string {
  const text = identity.trim();
  const secret = IDENTITY.test(text) ? decode(text.toLowerCase(), 'age-secret-key-') : undefined;
  if (!secret) throw new Error('not an age identity (AGE-SECRET-KEY-1 and 58 characters with a valid checksum)');
  // PKCS#8 wrapping of a raw X25519 private key (RFC 8410), the form node:crypto imports.
  const der = Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), secret]);
  const spki = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  return bech32Encode('age', spki.subarray(spki.length - 32));
}

/** The recipient of the first identity in an age key file (SOPS_AGE_KEY_FILE); errors name the file and the fix. */
export function ageRecipientOfKeyFile(file: string, variable = 'SOPS_AGE_KEY_FILE'): string {
  let text: string;
  try {
    // A device or a huge file (/dev/zero, /dev/stdin) would never finish reading: a key file is small.
    const st = statSync(file);
    if (!st.isFile() || st.size > KEY_FILE_MAX) throw new Error(st.isFile() ? `${st.size} bytes, more than a key file holds` : 'not a regular file');
    text = readFileSync(file, 'utf-8');
  } catch (e) {
    throw new GeneratorInputError(`${variable}=${file} cannot be read (${(e as Error).message}). Point it at your age key file, or pass --admin-age-key=age1...`);
  }
  const lines = text.split('\n').map((l) => l.trim());
  const line = lines.find((l) => l.startsWith('AGE-SECRET-KEY-1'));
  const other = lines.find((l) => /^AGE-(PLUGIN-|SECRET-KEY-PQ-)/.test(l));
  if (line === undefined && other !== undefined) {
    throw new GeneratorInputError(
      `${variable}=${file} holds only age plugin or post-quantum identities (${other.split('-1')[0]}-1...), which are not supported here: pass --admin-age-key=age1... (an X25519 key from age-keygen).`,
    );
  }
  try {
    return ageRecipientOf(line ?? '');
  } catch (e) {
    throw new GeneratorInputError(
      `${variable}=${file} holds no usable age identity (${(e as Error).message}). Make one with age-keygen -o ${file}, or pass --admin-age-key=age1...`,
    );
  }
}
