import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_INPUT_EXCLUDES, inputGlob, sharedHostInputs as sharedInputs } from './shared-inputs';

const sharedHostInputs = (root: string, excludes?: string[]) => sharedInputs(root, excludes).filter((i): i is string => typeof i === 'string');

describe('sharedHostInputs', () => {
  let root: string;
  const touch = (file: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '{ }');
  };
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'shared-inputs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('covers every top-level entry however deep (tmp too), every host.json, and leaves out only the exclusions', () => {
    [
      'flake.nix',
      'flake.lock',
      'README.md',
      '.sops.yaml',
      'nix/a/b/c/d/e/x.nix',
      'secrets/web1.yaml',
      'tmp/overlay.nix',
      'packages/profiles/base.nix',
      'packages/nix-fleet-plugin/src/index.ts',
      'hosts/ares/configuration.nix',
      'hosts/ares/host.json',
      'node_modules/x/default.nix',
      '.git/HEAD',
      'dist/y.nix',
      'docs/guide.md',
    ].forEach(touch);
    expect(sharedHostInputs(root)).toEqual([
      '{workspaceRoot}/.sops.yaml',
      '{workspaceRoot}/flake.lock',
      '{workspaceRoot}/flake.nix',
      '{workspaceRoot}/hosts/*',
      '{workspaceRoot}/hosts/*/host.json',
      '{workspaceRoot}/nix/**/*',
      '{workspaceRoot}/packages/profiles/**/*',
      '{workspaceRoot}/secrets/**/*',
      '{workspaceRoot}/tmp/**/*',
      '!{workspaceRoot}/dist/**',
      '!{workspaceRoot}/docs/**',
      '!{workspaceRoot}/**/*.md',
      '!{workspaceRoot}/hosts/*/*.nix',
      '!{workspaceRoot}/hosts/*/*/**',
      '!{workspaceRoot}/packages/nix-fleet-plugin/**',
    ]);
  });

  it('adds the workspace own exclusions after the defaults, and leaves those folders out', () => {
    ['e2e/a.spec.ts', 'tools/x/y.ts', 'nix/z.nix'].forEach(touch);
    const inputs = sharedHostInputs(root, ['e2e/**', 'tools/x/**']);
    expect(inputs.filter((i) => !i.startsWith('!'))).toEqual(['{workspaceRoot}/nix/**/*']);
    expect(inputs.slice(-2)).toEqual(['!{workspaceRoot}/e2e/**', '!{workspaceRoot}/tools/x/**']);
  });

  it('braces in excludeInputs match: an exclusion that covers a file Nix reads keeps only the files it does not', () => {
    ['notes/unread.txt', 'misc/b.txt', 'nix/z.nix'].forEach(touch);
    writeFileSync(join(root, 'notes/read.txt'), 'x');
    writeFileSync(join(root, 'flake.nix'), '{ outputs = _: { x = builtins.readFile ./notes/read.txt; y = import ./nix/z.nix; }; }');
    const inputs = sharedHostInputs(root, ['{notes,misc}/*.txt', 'other/{a,b}/**']);
    // notes/read.txt is an input; the other two files matched by the braces are still left out, by name.
    expect(inputs.filter((i) => i.startsWith('!')).slice(-3)).toEqual(['!{workspaceRoot}/misc/b.txt', '!{workspaceRoot}/notes/unread.txt', '!{workspaceRoot}/other/{a,b}/**']);
  });

  it('makes a folder of hosts/ that is no host (shared Nix) every host\'s input, and names the hosts one by one then', () => {
    ['hosts/web1/host.json', 'hosts/web1/configuration.nix', 'hosts/db1/host.json', 'hosts/common/pkgs.nix', 'flake.nix'].forEach(touch);
    const inputs = sharedHostInputs(root);
    expect(inputs).toContain('{workspaceRoot}/hosts/common/**/*');
    expect(inputs.filter((i) => i.startsWith('!{workspaceRoot}/hosts/'))).toEqual([
      '!{workspaceRoot}/hosts/db1/*.nix',
      '!{workspaceRoot}/hosts/db1/*/**',
      '!{workspaceRoot}/hosts/web1/*.nix',
      '!{workspaceRoot}/hosts/web1/*/**',
    ]);
    const excluded = (path: string) => inputs.filter((i) => i.startsWith('!')).some((g) => inputGlob(g.slice('!{workspaceRoot}/'.length))(path));
    expect(excluded('hosts/common/pkgs.nix')).toBe(false);
    expect(excluded('hosts/web1/configuration.nix')).toBe(true);
  });

  it('reads a plain file of hosts/ as no shared folder, and names several shared folders in order', () => {
    ['hosts/web1/host.json', 'hosts/web1/configuration.nix', 'hosts/default.nix'].forEach(touch);
    expect(sharedHostInputs(root).filter((i) => i.includes('hosts/'))).toEqual([
      '{workspaceRoot}/hosts/*',
      '{workspaceRoot}/hosts/*/host.json',
      '!{workspaceRoot}/hosts/*/*.nix',
      '!{workspaceRoot}/hosts/*/*/**',
    ]);
    ['hosts/zz-shared/a.nix', 'hosts/common/b.nix'].forEach(touch);
    expect(sharedHostInputs(root).filter((i) => i.startsWith('{workspaceRoot}/hosts/'))).toEqual([
      '{workspaceRoot}/hosts/*',
      '{workspaceRoot}/hosts/*/host.json',
      '{workspaceRoot}/hosts/common/**/*',
      '{workspaceRoot}/hosts/zz-shared/**/*',
    ]);
  });

  it('never excludes what a flake reads: Nix outside hosts, secrets, lock files, tmp/', () => {
    const excluded = (path: string) => DEFAULT_INPUT_EXCLUDES.some((glob) => inputGlob(glob)(path));
    for (const path of ['nix/a/b/c/d/e/x.nix', 'secrets/web1.yaml', '.sops.yaml', 'flake.lock', 'tmp/x.nix', 'hosts/web1/host.json', 'packages/profiles/server/roles/web.nix']) {
      expect([path, excluded(path)]).toEqual([path, false]);
    }
    for (const path of ['docs/guide.txt', 'README.md', 'hosts/web1/configuration.nix', 'hosts/web1/secrets/x.yaml', 'dist/hosts/web1/build.json']) {
      expect([path, excluded(path)]).toEqual([path, true]);
    }
  });
});
