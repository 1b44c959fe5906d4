// The "flake" option as nix is given it: the workspace itself, a folder of it, or a reference
// nix resolves on its own (an absolute path, "github:", "git+ssh:", "path:").
import { flakeRefFor } from './flake-ref';

describe('flakeRefFor', () => {
  it.each([
    [undefined, '/ws'],
    ['', '/ws'],
    ['.', '/ws'],
    ['./', '/ws/'],
    ['sub/flake', '/ws/sub/flake'],
    ['./sub:dir', '/ws/sub:dir'],
    ['/etc/nixos', '/etc/nixos'],
    ['github:owner/repo', 'github:owner/repo'],
    ['git+ssh://host/repo', 'git+ssh://host/repo'],
    ['path:/etc/nixos', 'path:/etc/nixos'],
  ])('%j in /ws is %j', (flake, ref) => {
    expect(flakeRefFor('/ws', flake)).toBe(ref);
  });
});
