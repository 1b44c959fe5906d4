// Input globs as Nx reads them (minimatch): `?` and `*` stay inside one folder, braces expand.
import { inputGlob } from './shared-inputs';

describe('inputGlob', () => {
  it.each([
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'nix/a/notes.md', true],
    ['**/*.md', '.github/notes.md', true],
    ['**/*.md', 'nix/a/notes.nix', false],
    ['docs/**', 'docs/a/b.txt', true],
    ['docs/**', 'docsx/a', false],
    ['hosts/*/*.nix', 'hosts/web1/configuration.nix', true],
    ['hosts/*/*.nix', 'hosts/web1/sub/x.nix', false],
    ['hosts/*/*/**', 'hosts/web1/sub/x.nix', true],
    ['hosts/*/*/**', 'hosts/web1/host.json', false],
    ['a.b/c?', 'a.b/cd', true],
    ['a.b/c?', 'aXb/cd', false],
    // `?` is one character of a name, never the folder separator.
    ['a?b', 'a/b', false],
    ['a?b', 'axb', true],
    ['hosts/web?/x', 'hosts/web/x', false],
    ['(x)', '(x)', true],
    ['{docs,notes}/**', 'notes/x.txt', true],
    ['{docs,notes}/**', 'docs/a/b', true],
    ['{docs,notes}/**', 'misc/x.txt', false],
    ['secrets/*.{yaml,json}', 'secrets/web1.json', true],
    ['secrets/*.{yaml,json}', 'secrets/web1.nix', false],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(inputGlob(glob)(path)).toBe(expected);
  });
});
