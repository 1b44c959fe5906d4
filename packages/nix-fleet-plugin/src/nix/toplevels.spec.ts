// This machine's proof of what a host's toplevel is: evaluated by nix, saved whole under a key,
// read back only under that key, and saved only while the work tree is as it was keyed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { proofKey, resetSourceKeys } from '../git/source-key';
import { evaluateToplevels, readToplevelFile, rememberedToplevel, rememberToplevel, TOPLEVEL_CACHE_DIR, writeToplevelFile } from './toplevels';

const web1 = { drvPath: `/nix/store/${'a'.repeat(32)}-nixos-system-web1.drv`, outPath: `/nix/store/${'b'.repeat(32)}-nixos-system-web1` };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'toplevels-'));
  resetSourceKeys();
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('toplevel files', () => {
  it('are read back under their key only, and leave no temporary file', () => {
    const file = join(root, 'a/b/web1.json');
    writeToplevelFile(file, 'k1', web1);
    expect(readToplevelFile(file, 'k1')).toEqual(web1);
    expect(readToplevelFile(file, 'k2')).toBeUndefined();
    expect(readToplevelFile(file, undefined)).toBeUndefined();
    expect(readdirSync(join(root, 'a/b'))).toEqual(['web1.json']);
  });

  it.each([
    ['missing', undefined],
    ['torn', '{"key": "k1", "drvPa'],
    ['null', 'null'],
    ['without a key, read without one', JSON.stringify(web1)],
    ['with a drvPath outside the store', JSON.stringify({ key: 'k1', ...web1, drvPath: '/tmp/x.drv' })],
    ['with an outPath outside the store', JSON.stringify({ key: 'k1', ...web1, outPath: '/etc' })],
  ])('are no proof when %s', (_what, text) => {
    const file = join(root, 'web1.json');
    if (text !== undefined) writeFileSync(file, text);
    expect(readToplevelFile(file, 'k1')).toBeUndefined();
    expect(readToplevelFile(file, undefined)).toBeUndefined();
  });
});

describe('remembered toplevels', () => {
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root, stdio: 'pipe' });
  beforeEach(() => {
    git('init', '-q');
    writeFileSync(join(root, 'flake.nix'), '{ }');
    git('add', 'flake.nix');
  });

  it('are kept under the key the host was evaluated at', () => {
    proofKey(root, 'eval-hash', '.');
    rememberToplevel(root, 'web1', 'k1', web1);
    expect(rememberedToplevel(root, 'web1', 'k1')).toEqual(web1);
    expect(rememberedToplevel(root, 'web1', 'k2')).toBeUndefined();
    expect(rememberedToplevel(root, 'web2', 'k1')).toBeUndefined();
  });

  it('are not kept without a key, or once a tracked file changed since the key was taken', () => {
    const key = proofKey(root, 'eval-hash', '.');
    rememberToplevel(root, 'web1', undefined, web1);
    writeFileSync(join(root, 'flake.nix'), '{ x = 1; }');
    rememberToplevel(root, 'web1', key, web1);
    expect(rememberedToplevel(root, 'web1', key)).toBeUndefined();
    mkdirSync(join(root, TOPLEVEL_CACHE_DIR), { recursive: true });
    expect(readdirSync(join(root, TOPLEVEL_CACHE_DIR))).toEqual([]);
  });
});

describe('evaluateToplevels', () => {
  it('evaluates each host asked for with nix', async () => {
    writeFileSync(
      join(root, 'flake.nix'),
      `{ outputs = { self }: { nixosConfigurations = builtins.listToAttrs (map (name: { inherit name; value.config.system.build.toplevel = derivation {
        inherit name; system = "x86_64-linux"; builder = "/bin/sh"; }; }) [ "web1" "web2" ]); }; }`,
    );
    let shown = '';
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((shown += String(chunk)), true));
    const toplevels = await evaluateToplevels(root, root, ['web2', 'web1']).finally(() => stderr.mockRestore());
    // It shows the command it runs.
    expect(shown).toContain(`nix eval --json ${root}#nixosConfigurations`);
    expect(Object.keys(toplevels).sort()).toEqual(['web1', 'web2']);
    expect(toplevels.web1.outPath).toMatch(/-web1$/);
    expect(toplevels.web2.drvPath).toMatch(/-web2\.drv$/);
  });
});
