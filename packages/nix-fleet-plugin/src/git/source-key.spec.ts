import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeSourceKey, flakeInWorkspace, proofKey, resetSourceKeys, sourceUnchanged } from './source-key';

describe('source key', () => {
  let root: string;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf-8' });
  const write = (file: string, text: string) => writeFileSync(join(root, file), text);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'source-key-'));
    git('init', '-q');
    write('.gitignore', 'secrets/\n*.log\n');
    write('flake.nix', '{ }');
    // Enough paths that `git ls-files -s` prints more than a few hundred bytes.
    mkdirSync(join(root, 'hosts'));
    for (const host of ['zeus', 'ares', 'hera', 'apollo']) write(`hosts/${host}.nix`, host);
    mkdirSync(join(root, 'secrets'));
    write('secrets/forced.txt', 'one');
    git('add', '.gitignore', 'flake.nix', 'hosts');
    git('add', '-f', 'secrets/forced.txt');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'init');
    resetSourceKeys();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('changes with a tracked file and a force-added ignored one, edited or committed, and not with untracked files or a touch', () => {
    const first = computeSourceKey(root);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    write('notes.log', 'untracked');
    write('untracked.nix', '{ }');
    utimesSync(join(root, 'flake.nix'), new Date(), new Date(Date.now() + 5000));
    expect(computeSourceKey(root)).toBe(first);
    write('secrets/forced.txt', 'two');
    const edited = computeSourceKey(root);
    expect(edited).not.toBe(first);
    git('add', '-f', 'secrets/forced.txt');
    expect(computeSourceKey(root)).toBe(edited);
    write('secrets/forced.txt', 'one');
    expect(computeSourceKey(root)).not.toBe(edited);
    rmSync(join(root, 'flake.nix'));
    expect(computeSourceKey(root)).not.toBe(first);
  });

  it('changes with the executable bit of a tracked file, and not when that is staged', () => {
    const first = computeSourceKey(root);
    chmodSync(join(root, 'hosts/ares.nix'), 0o755);
    const executable = computeSourceKey(root);
    expect(executable).not.toBe(first);
    git('add', 'hosts/ares.nix');
    expect(computeSourceKey(root)).toBe(executable);
    chmodSync(join(root, 'hosts/ares.nix'), 0o644);
    expect(computeSourceKey(root)).toBe(first);
  });

  it('changes with the target of a tracked symlink, and not when that is staged', () => {
    symlinkSync('hosts/ares.nix', join(root, 'current.nix'));
    git('add', 'current.nix');
    const first = computeSourceKey(root);
    rmSync(join(root, 'current.nix'));
    symlinkSync('hosts/zeus.nix', join(root, 'current.nix'));
    const retargeted = computeSourceKey(root);
    expect(retargeted).not.toBe(first);
    git('add', 'current.nix');
    expect(computeSourceKey(root)).toBe(retargeted);
  });

  it('is undefined when git cannot read the index, so no proof rests on it', () => {
    write('.git/index', 'torn');
    expect(computeSourceKey(root)).toBeUndefined();
    expect(proofKey(root, 'abc', '.')).toBeUndefined();
    expect(sourceUnchanged(root)).toBe(false);
  });

  it.each([
    [undefined, true],
    ['.', true],
    ['./', true],
    ['sub/flake', true],
    ['./sub:dir', true],
    ['sub/../..', false],
    ['../elsewhere', false],
    ['/etc/nixos', false],
    ['path:/etc/nixos', false],
    ['git+ssh://host/repo', false],
  ])('flakeInWorkspace(%j) is %s', (flake, inside) => {
    expect(flakeInWorkspace(flake)).toBe(inside);
  });

  it('is undefined outside git, and a proof key needs the Nx hash, the source key and a flake in the workspace', () => {
    expect(proofKey(root, 'abc', undefined)).toMatch(/^abc-[0-9a-f]{32}$/);
    expect(proofKey(root, undefined, '.')).toBeUndefined();
    expect(proofKey(root, 'abc', 'github:o/r')).toBeUndefined();
    expect(proofKey(root, 'abc', '../elsewhere')).toBeUndefined();
    expect(flakeInWorkspace('sub/flake')).toBe(true);
    const bare = mkdtempSync(join(tmpdir(), 'no-git-'));
    try {
      expect(computeSourceKey(bare)).toBeUndefined();
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('says when the work tree moved on after the key was taken', () => {
    proofKey(root, 'abc', '.');
    expect(sourceUnchanged(root)).toBe(true);
    write('flake.nix', '{ x = 1; }');
    expect(sourceUnchanged(root)).toBe(false);
    resetSourceKeys();
    expect(sourceUnchanged(root)).toBe(true);
  });
});
