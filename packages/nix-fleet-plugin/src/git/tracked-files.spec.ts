// The files a flake can read: in git, the index (force-added ignored files too, each path
// once, symlinks with their link text); outside git, every file but git's, Nx's and npm's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { trackedFiles } from './tracked-files';

let root: string;
const write = (file: string, text = '{ }') => {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
};
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: root, encoding: 'utf-8', stdio: 'pipe' });
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'tracked-files-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('trackedFiles in a git work tree', () => {
  beforeEach(() => {
    git('init', '-q');
    write('.gitignore', 'secrets/\n*.log\n');
    // Enough paths that `git ls-files -s` prints more than a few hundred bytes.
    for (const host of ['zeus', 'ares', 'hera', 'apollo', 'athena']) write(`hosts/${host}/configuration.nix`);
    write('flake.nix');
    write('secrets/forced.age', 'x');
    symlinkSync('hosts/ares/configuration.nix', join(root, 'ares.nix'));
    symlinkSync('flake.nix', join(root, 'gone.nix'));
    git('add', '.gitignore', 'hosts', 'flake.nix', 'ares.nix', 'gone.nix');
    git('add', '-f', 'secrets/forced.age');
  });

  it('lists what git tracks, sorted, with the link text of symlinks and the force-added ignored files, and leaves out untracked files', () => {
    write('untracked.nix');
    write('debug.log');
    rmSync(join(root, 'gone.nix'));
    expect(trackedFiles(root)).toEqual({
      files: [
        '.gitignore',
        'ares.nix',
        'flake.nix',
        'gone.nix',
        'hosts/apollo/configuration.nix',
        'hosts/ares/configuration.nix',
        'hosts/athena/configuration.nix',
        'hosts/hera/configuration.nix',
        'hosts/zeus/configuration.nix',
        'secrets/forced.age',
      ],
      // gone.nix is deleted in the work tree: no link text to read.
      symlinks: new Map([['ares.nix', 'hosts/ares/configuration.nix']]),
      ignored: ['secrets/forced.age'],
      git: true,
    });
  });

  it('lists a path in conflict once', () => {
    git('commit', '-qm', 'init');
    git('checkout', '-qb', 'other');
    write('flake.nix', '{ other = 1; }');
    git('commit', '-qam', 'other');
    git('checkout', '-q', '-');
    write('flake.nix', '{ main = 1; }');
    git('commit', '-qam', 'main');
    expect(() => git('merge', '-q', 'other')).toThrow();
    const { files } = trackedFiles(root);
    expect(files.filter((f) => f === 'flake.nix')).toEqual(['flake.nix']);
    expect(files).toHaveLength(10);
  });

  it('lists a repository of thousands of files whole', () => {
    for (let i = 0; i < 2000; i++) writeFileSync(join(root, 'hosts/zeus', `module-${i}.nix`), '');
    git('add', 'hosts');
    expect(trackedFiles(root).files).toHaveLength(2010);
  });

  it('has no ignored files when .gitignore matches none of the tracked ones', () => {
    rmSync(join(root, '.gitignore'));
    expect(trackedFiles(root).ignored).toEqual([]);
  });
});

describe('trackedFiles outside git', () => {
  it('lists every file, sorted, with symlinks, but not .git, node_modules or .nx at the root', () => {
    write('zeta.nix');
    write('.git/config', '');
    write('node_modules/x/index.js', '');
    write('.nx/cache/x', '');
    write('lib/node_modules/kept.nix');
    write('alpha/b.nix');
    // Sorted as paths: "alpha.nix" before "alpha/b.nix", though the folder "alpha" comes first.
    write('alpha.nix');
    symlinkSync('zeta.nix', join(root, 'link.nix'));
    // Enough names that the directory's own order is not the sorted one.
    const hosts = ['zeus', 'ares', 'hera', 'apollo', 'athena', 'hermes', 'demeter', 'poseidon'];
    for (const host of hosts) write(`${host}.nix`);
    expect(trackedFiles(root)).toEqual({
      files: ['alpha.nix', 'alpha/b.nix', 'apollo.nix', 'ares.nix', 'athena.nix', 'demeter.nix', 'hera.nix', 'hermes.nix', 'lib/node_modules/kept.nix', 'link.nix', 'poseidon.nix', 'zeta.nix', 'zeus.nix'],
      symlinks: new Map([['link.nix', 'zeta.nix']]),
      ignored: [],
      git: false,
    });
  });
});
