import { globToRegExp } from './glob';

describe('globToRegExp', () => {
  it.each([
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'nix/a/notes.md', true],
    ['**/*.md', 'nix/a/notes.nix', false],
    ['docs/**', 'docs/a/b.txt', true],
    ['docs/**', 'docs', false],
    ['docs/**', 'docsx/a', false],
    ['hosts/*/*.nix', 'hosts/web1/configuration.nix', true],
    ['hosts/*/*.nix', 'hosts/web1/sub/x.nix', false],
    ['hosts/*/*/**', 'hosts/web1/sub/x.nix', true],
    ['hosts/*/*/**', 'hosts/web1/host.json', false],
    ['a.b/c?', 'a.b/cd', true],
    ['a.b/c?', 'aXb/cd', false],
    ['(x)', '(x)', true],
  ])('%s matches %s: %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });
});
