import type { Tree } from '@nx/devkit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyTree, snapshotTree } from '../../../testing/test-tree';
import { initGenerator } from '../init/generator';
import { presetGenerator } from '../preset/generator';
import { ADMIN_PLACEHOLDER, adminKeyIn, ensureFleetSopsConfig, fleetSopsConfig, SOPS_CONFIG } from './sops-admin';

// Throwaway pair from age-keygen (see host/age-key.spec.ts); the README key of age.
const IDENTITY = 'AGE-SECRET-KEY-1JE46SHJLCPSDKV57HF93ZHUF9CRYH2PW0SL28H4L6MRJ49ZL6MXSGRP0Q0';
const FROM_FILE = 'age1pel8p3qfctvta8lj73848t4zr39amkqr3n2q2k2q39929y935apqwxkr80';
const ADMIN = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const HOST = 'age1gvjp8xvaks6xhwk285sj22lvxsyh5pla89m0zuvrz387rp8z6vvsq2xfs0';

describe('a fleet\'s .sops.yaml and its admin key', () => {
  let tree: Tree;
  let dir: string;
  let keyFile: string;
  let log: jest.SpyInstance;
  beforeEach(() => {
    tree = emptyTree();
    dir = mkdtempSync(join(tmpdir(), 'sops-admin-spec-'));
    keyFile = join(dir, 'keys.txt');
    writeFileSync(keyFile, `# public key: ${FROM_FILE}\n${IDENTITY}\n`);
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    log.mockRestore();
  });

  it.each([
    ['--admin-age-key', ADMIN, { SOPS_AGE_KEY_FILE: '/nonexistent' }, ADMIN, `.sops.yaml: admin key from --admin-age-key.`],
    ["SOPS_AGE_KEY_FILE's identity", undefined, 'file', FROM_FILE, '.sops.yaml: admin key from SOPS_AGE_KEY_FILE'],
    ['nothing: the placeholder', undefined, {}, ADMIN_PLACEHOLDER, '.sops.yaml has no admin key yet (a placeholder)'],
  ])('takes the admin key from %s', (_what, flag, env, admin, message) => {
    const messages = ensureFleetSopsConfig(tree, flag, env === 'file' ? { SOPS_AGE_KEY_FILE: keyFile } : env);
    const text = tree.read(SOPS_CONFIG, 'utf-8') ?? '';
    expect(adminKeyIn(text)).toBe(admin);
    expect(text).toContain('creation_rules:\n  # Anything else under secrets/ is for the admin only');
    expect(messages.join('\n')).toContain(message);
  });

  it('puts a given key in place of the placeholder and its comment, once; a second run changes nothing', () => {
    ensureFleetSopsConfig(tree, undefined, {});
    expect(ensureFleetSopsConfig(tree, ADMIN, {})).toEqual(['.sops.yaml: the admin placeholder is now your key (from --admin-age-key).']);
    expect(tree.read(SOPS_CONFIG, 'utf-8')).toBe(fleetSopsConfig(ADMIN));
    expect(ensureFleetSopsConfig(tree, ADMIN, {})).toEqual([]);
    expect(tree.read(SOPS_CONFIG, 'utf-8')).not.toContain(ADMIN_PLACEHOLDER);
  });

  it.each([
    ['another admin key', () => fleetSopsConfig(FROM_FILE), ADMIN, /already names the admin key age1pel8.*edit \.sops\.yaml by hand, then run sops updatekeys/],
    ['no admin line', () => 'keys:\n  - &me age1x\n', ADMIN, /has no "- &admin <key>" line under keys:/],
    ['a bad flag', () => fleetSopsConfig(undefined), `${ADMIN}x`, /^Invalid --admin-age-key "age1ql3z.*x": give an age public key/],
  ])('refuses %s and writes nothing', (_what, text, flag, message) => {
    tree.write(SOPS_CONFIG, text());
    const before = snapshotTree(tree);
    expect(() => ensureFleetSopsConfig(tree, flag, {})).toThrow(message);
    expect(snapshotTree(tree)).toEqual(before);
  });

  it('the preset writes it before its first hosts, whose --hosts entries get no rule (no key yet)', async () => {
    await presetGenerator(tree, { name: 'f', hosts: 'web1:server', adminAgeKey: ADMIN, skipFormat: true });
    expect(tree.read(SOPS_CONFIG, 'utf-8')).toBe(fleetSopsConfig(ADMIN));
  });

  it('init --fleet writes it; init --admin-age-key later replaces the placeholder; a bad key writes nothing', async () => {
    const saved = process.env.SOPS_AGE_KEY_FILE;
    delete process.env.SOPS_AGE_KEY_FILE;
    try {
      await initGenerator(tree, { fleet: true, skipFormat: true });
      expect(adminKeyIn(tree.read(SOPS_CONFIG, 'utf-8') ?? '')).toBe(ADMIN_PLACEHOLDER);
      const before = snapshotTree(tree);
      await expect(initGenerator(tree, { adminAgeKey: 'age1nope', skipFormat: true })).rejects.toThrow('Invalid --admin-age-key "age1nope"');
      expect(snapshotTree(tree)).toEqual(before);
      await initGenerator(tree, { adminAgeKey: HOST, skipFormat: true });
      expect(tree.read(SOPS_CONFIG, 'utf-8')).toBe(fleetSopsConfig(HOST));
    } finally {
      if (saved !== undefined) process.env.SOPS_AGE_KEY_FILE = saved;
    }
  });

  it('plain init (no --fleet, no key) writes no .sops.yaml', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(tree.exists(SOPS_CONFIG)).toBe(false);
  });
});
