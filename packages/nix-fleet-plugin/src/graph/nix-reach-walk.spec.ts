// The walk from the flake through the files it names: cycles, symlinks, files that are gone.
import { isReached, nixReach, type ReachSource } from './nix-reach';

const source = (files: Record<string, string>, symlinks: Record<string, string> = {}): ReachSource => ({
  files: [...Object.keys(files), ...Object.keys(symlinks)].sort(),
  symlinks: new Map(Object.entries(symlinks)),
  read: (f) => files[f],
  isDir: (p) => Object.keys(files).some((f) => f.startsWith(`${p}/`)),
});

describe('nixReach walk', () => {
  it('ends on files that import each other', () => {
    const files = { 'flake.nix': 'import ./a.nix', 'a.nix': 'import ./b.nix', 'b.nix': '{ x = import ./a.nix; d = ./docs/d.md; }', 'docs/d.md': '' };
    expect(nixReach(source(files), ['flake.nix'])).toEqual({ roots: ['a.nix', 'b.nix', 'docs/d.md'] });
  });

  it('takes no entries as every .nix file', () => {
    const files = { 'flake.nix': '{ }', 'lib/x.nix': 'builtins.readFile ../docs/d.md', 'docs/d.md': '' };
    expect(nixReach(source(files), [])).toEqual({ roots: ['docs/d.md'] });
  });

  it('scans the .nix files a symlink reaches, and no target outside the workspace', () => {
    const files = { 'flake.nix': '{ }', 'shared/x.nix': 'builtins.readFile ../docs/d.md', 'docs/d.md': '', 'docs/e.md': '' };
    const links = { 'hosts/a/lib': '../../shared', 'hosts/a/abs': '/etc/passwd', 'hosts/a/up': '../../../outside' };
    expect(nixReach(source(files, links), ['flake.nix'])).toEqual({ roots: ['docs/d.md', 'shared'] });
  });

  it('is unsure of everything when a path leaves the workspace or a file cannot be followed', () => {
    expect(nixReach(source({ 'flake.nix': 'import ../.' }))).toEqual({ unsure: 'flake.nix: ../. leaves the workspace', roots: [''] });
    expect(nixReach(source({ 'flake.nix': 'import ./a.nix', 'a.nix': '<nixpkgs>' }), ['flake.nix'])).toEqual({ unsure: 'a.nix: the path <nixpkgs> outside the workspace', roots: [''] });
  });

  it('never scans as code a file that a path names as a folder before its ${...}', () => {
    expect(nixReach(source({ 'flake.nix': 'import ./notes.txt/${x}', 'notes.txt': 'see /etc/passwd' }), ['flake.nix'])).toEqual({ roots: ['notes.txt'] });
  });

  it('reads a path with a trailing / as the folder, and one that is gone as itself', () => {
    expect(nixReach(source({ 'flake.nix': '{ a = ./lib/; b = import ./gone.nix; }', 'lib/x.nix': '{ }' }), ['flake.nix'])).toEqual({ roots: ['gone.nix', 'lib'] });
  });
});

describe('isReached', () => {
  it.each([
    ['docs', 'docs', true],
    ['docs', 'docs/a/b.md', true],
    ['docs', 'docs-old/a.md', false],
    ['docs/a.md', 'docs/a.md.bak', false],
    ['', 'anything/at/all', true],
  ])('root %j reaches %j: %s', (root, file, expected) => {
    expect(isReached({ roots: ['other', root] }, file)).toBe(expected);
  });
});
