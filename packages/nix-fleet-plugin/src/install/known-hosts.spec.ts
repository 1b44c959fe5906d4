// The fleet's known_hosts: pins by host name, replaces only that host's line.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetKnownHostsOption, pinHostKey, pinnedKey } from './known-hosts';

describe('fleet known_hosts', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-known-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is no ssh option until a key is pinned', () => {
    expect(fleetKnownHostsOption(root)).toBeUndefined();
    expect(pinnedKey(root, 'web2')).toBeUndefined();
    pinHostKey(root, 'web2', 'ssh-ed25519 AAAAC3Nza1 root@web2');
    expect(fleetKnownHostsOption(root)).toBe(join(root, 'known_hosts'));
  });

  it('pins under the name, replaces only that host, keeps the others and their order', () => {
    writeFileSync(join(root, 'known_hosts'), 'web10 ssh-ed25519 KEY10\nweb2 ssh-ed25519 OLD\nweb1 ssh-ed25519 KEY1\n');
    pinHostKey(root, 'web2', 'ssh-ed25519 NEW root@web2\n');
    expect(readFileSync(join(root, 'known_hosts'), 'utf-8')).toBe('web10 ssh-ed25519 KEY10\nweb1 ssh-ed25519 KEY1\nweb2 ssh-ed25519 NEW\n');
    expect(pinnedKey(root, 'web2')).toBe('ssh-ed25519 NEW');
    expect(pinnedKey(root, 'web')).toBeUndefined();
    pinHostKey(root, 'web2', 'ssh-ed25519 NEWER');
    expect(readFileSync(join(root, 'known_hosts'), 'utf-8').match(/^web2 /gm)).toHaveLength(1);
  });

  it('finds a pin written by hand the way ssh reads it: a comma list of names, a marker is no pin', () => {
    writeFileSync(join(root, 'known_hosts'), '# fleet\n10.0.0.12,web2 ssh-ed25519 HAND\n@revoked web3 ssh-ed25519 GONE\n');
    expect(pinnedKey(root, 'web2')).toBe('ssh-ed25519 HAND');
    expect(pinnedKey(root, 'web3')).toBeUndefined();
    // A new pin replaces every line ssh would match for the name, not only "web2 ...".
    pinHostKey(root, 'web2', 'ssh-ed25519 NEW');
    expect(readFileSync(join(root, 'known_hosts'), 'utf-8')).toBe('# fleet\n@revoked web3 ssh-ed25519 GONE\nweb2 ssh-ed25519 NEW\n');
  });

  it('refuses a workspace path with whitespace (Nix splits ssh options on it)', () => {
    const spaced = mkdtempSync(join(tmpdir(), 'nix fleet '));
    try {
      pinHostKey(spaced, 'web2', 'ssh-ed25519 K');
      expect(() => fleetKnownHostsOption(spaced)).toThrow(/has whitespace in its path/);
    } finally {
      rmSync(spaced, { recursive: true, force: true });
    }
  });
});
