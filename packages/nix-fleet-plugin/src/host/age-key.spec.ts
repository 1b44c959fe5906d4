import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ageRecipientOf, ageRecipientOfKeyFile, checkAgeRecipient, isAgeRecipient } from './age-key';

// Throwaway pairs made for this test with Debian's age-keygen 1.1 (age-keygen -o FILE; the
// "public key:" line it printed). They guard no secret.
const PAIRS: Array<[string, string]> = [
  ['AGE-SECRET-KEY-1JE46SHJLCPSDKV57HF93ZHUF9CRYH2PW0SL28H4L6MRJ49ZL6MXSGRP0Q0', 'age1pel8p3qfctvta8lj73848t4zr39amkqr3n2q2k2q39929y935apqwxkr80'],
  ['AGE-SECRET-KEY-1LFAJC30Q395FJAX57LKXFUF7PLG0NEKQ0V4D8U3L9CMNYRDE8XMQCGKR4N', 'age1gvjp8xvaks6xhwk285sj22lvxsyh5pla89m0zuvrz387rp8z6vvsq2xfs0'],
];
const README_KEY = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

describe('age keys', () => {
  it.each(PAIRS)('the recipient of %s is what age-keygen printed', (identity, recipient) => {
    expect(ageRecipientOf(identity)).toBe(recipient);
    expect(isAgeRecipient(recipient)).toBe(true);
  });

  const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'q' ? 'p' : 'q') + s.slice(at + 1);
  it.each([
    ['a one-character typo', flip(README_KEY, 10)],
    ['a typo in the checksum', flip(README_KEY, README_KEY.length - 1)],
    ['upper case', README_KEY.toUpperCase()],
    ['one character short', README_KEY.slice(0, -1)],
    ['one character long', `${README_KEY}q`],
    ['a character outside bech32 (b)', `age1b${README_KEY.slice(5)}`],
    ['an ssh key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI'],
    ['the identity itself', PAIRS[0][0]],
    ['a command substitution', `$(touch /tmp/x)${README_KEY}`],
    ['a leading dash', `-${README_KEY}`],
  ])('refuses %s', (_what, key) => {
    expect(isAgeRecipient(key)).toBe(false);
    expect(() => checkAgeRecipient(key, '--admin-age-key', 'age-keygen -y KEYFILE')).toThrow(
      `Invalid --admin-age-key "${key}": give an age public key ("age1" and 58 lowercase bech32 characters with a valid checksum), e.g. --admin-age-key="$(age-keygen -y KEYFILE)".`,
    );
  });

  // Made with the BIP-173 reference code from README_KEY's data: checksums that hold, for data age never writes.
  it.each([
    ['the lowest padding bit set', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9apxwfd6n'],
    ['the highest padding bit set', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9ag9ve5eu'],
    ['a bech32m checksum', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqwyd5zr'],
  ])('refuses a key with %s', (_what, key) => {
    expect(isAgeRecipient(key)).toBe(false);
  });

  it.each(['', ' ', '\n'])('refuses an empty key %j as empty (a command substitution that printed nothing), not as no key', (key) => {
    expect(() => checkAgeRecipient(key, '--age-key', 'x')).toThrow('--age-key is empty (did the command that prints the key fail?)');
  });

  // Shapes of a YubiKey plugin and of age 1.3's post-quantum recipients (not X25519 keys).
  it.each(['age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t', `age1pq1${'q'.repeat(200)}`])(
    'refuses the plugin or post-quantum recipient %s by what it is',
    (key) => {
      expect(() => checkAgeRecipient(key, '--age-key', 'x')).toThrow(`Invalid --age-key "${key}": an age plugin or post-quantum recipient (${key.slice(0, key.lastIndexOf('1'))}1...)`);
    },
  );

  it.each([
    ['a prefix before age1', `xage1yubikey1${'q'.repeat(20)}`],
    ['nothing between age1 and the last 1', `age11${'q'.repeat(20)}`],
    ['a character no recipient has', 'age1yubikey1qq-q'],
    ['upper case', 'age1yubikey1QQQ'],
  ])('does not take a key with %s for a plugin recipient', (_what, key) => {
    expect(() => checkAgeRecipient(key, '--age-key', 'x')).toThrow(`Invalid --age-key "${key}": give an age public key ("age1" and 58 lowercase`);
  });

  it('accepts surrounding white space and returns the key alone', () => {
    expect(checkAgeRecipient(` ${README_KEY}\n`, '--age-key', 'x')).toBe(README_KEY);
  });

  it('reads an identity with white space around it', () => {
    expect(ageRecipientOf(` ${PAIRS[1][0]}\r\n`)).toBe(PAIRS[1][1]);
  });

  it.each([
    ['a typo in the identity', PAIRS[0][0].replace('JE46', 'JE47')],
    ['lower case', PAIRS[0][0].toLowerCase()],
    ['a recipient', PAIRS[0][1]],
  ])('refuses %s as an identity', (_what, identity) => {
    expect(() => ageRecipientOf(identity)).toThrow('not an age identity');
  });

  describe('key files', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'age-key-spec-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("reads the first identity of an age-keygen file, comments and all", () => {
      const file = join(dir, 'keys.txt');
      writeFileSync(file, `# created: 2026-12-03\n# public key: ${PAIRS[1][1]}\n${PAIRS[1][0]}\n${PAIRS[0][0]}\n`);
      expect(ageRecipientOfKeyFile(file)).toBe(PAIRS[1][1]);
    });

    it('reads the X25519 identity after a post-quantum one, and names a file holding only plugin identities', () => {
      const file = join(dir, 'keys.txt');
      writeFileSync(file, `AGE-SECRET-KEY-PQ-1${'Q'.repeat(60)}\r\n${PAIRS[0][0]}\r\n`);
      expect(ageRecipientOfKeyFile(file)).toBe(PAIRS[0][1]);
      writeFileSync(file, `AGE-PLUGIN-YUBIKEY-1${'Q'.repeat(50)}\n`);
      expect(() => ageRecipientOfKeyFile(file)).toThrow(`SOPS_AGE_KEY_FILE=${file} holds only age plugin or post-quantum identities (AGE-PLUGIN-YUBIKEY-1...)`);
    });

    it('reads an indented identity line', () => {
      const file = join(dir, 'keys.txt');
      writeFileSync(file, `# a comment\n   ${PAIRS[0][0]}  \n`);
      expect(ageRecipientOfKeyFile(file)).toBe(PAIRS[0][1]);
    });

    it('reads a file of exactly 1 MiB, and refuses a larger one before reading it', () => {
      const file = join(dir, 'keys.txt');
      const line = `${PAIRS[0][0]}\n`;
      writeFileSync(file, line + ' '.repeat((1 << 20) - line.length));
      expect(ageRecipientOfKeyFile(file)).toBe(PAIRS[0][1]);
      writeFileSync(file, line + ' '.repeat((1 << 20) - line.length + 1));
      expect(() => ageRecipientOfKeyFile(file, 'KEYS')).toThrow(`KEYS=${file} cannot be read (1048577 bytes, more than a key file holds). Point it at your age key file, or pass --admin-age-key=age1...`);
    });

    it('does not take a comment naming a plugin identity for one', () => {
      const file = join(dir, 'keys.txt');
      writeFileSync(file, '# recipient of AGE-PLUGIN-YUBIKEY-1QQQ\n');
      expect(() => ageRecipientOfKeyFile(file)).toThrow(`SOPS_AGE_KEY_FILE=${file} holds no usable age identity`);
    });

    it('names the variable, the file and the fix when the file is missing or holds no identity', () => {
      const missing = join(dir, 'none.txt');
      expect(() => ageRecipientOfKeyFile(missing)).toThrow(`SOPS_AGE_KEY_FILE=${missing} cannot be read`);
      // Devices are never read: /dev/zero would not end.
      expect(() => ageRecipientOfKeyFile('/dev/zero')).toThrow('SOPS_AGE_KEY_FILE=/dev/zero cannot be read (not a regular file)');
      expect(() => ageRecipientOfKeyFile(dir)).toThrow(`SOPS_AGE_KEY_FILE=${dir} cannot be read (not a regular file)`);
      const empty = join(dir, 'empty.txt');
      writeFileSync(empty, `# public key: ${PAIRS[0][1]}\n`);
      expect(() => ageRecipientOfKeyFile(empty)).toThrow(
        `SOPS_AGE_KEY_FILE=${empty} holds no usable age identity (not an age identity (AGE-SECRET-KEY-1 and 58 characters with a valid checksum)). Make one with age-keygen -o ${empty}, or pass --admin-age-key=age1...`,
      );
    });
  });
});
