// Which exclusions hold against what the fleet's Nix code reaches, and where that scan starts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TrackedFiles } from '../git/tracked-files';
import { provenExclusions, sharedHostInputs, workspaceReach } from './shared-inputs';

const tracked = (files: string[], git = false): TrackedFiles => ({ files: [...files].sort(), symlinks: new Map(), ignored: [], git });

describe('provenExclusions', () => {
  it('keeps a glob whole while nothing it matches is reached, else names its unreached files once each', () => {
    const files = ['README.md', 'dist/x.nix', 'docs/a[1].md', 'docs/other.md', 'docs/used.md', 'notes/n.txt'];
    expect(provenExclusions(['dist/**', 'docs/**', '**/*.md', 'notes/**'], tracked(files), { roots: ['docs/used.md', 'notes/n'] })).toEqual([
      'dist/**',
      // docs/a[1].md is a glob to Nx: never left out by name.
      'docs/other.md',
      'README.md',
      'notes/**',
    ]);
  });

  it('leaves out nothing a reached folder holds', () => {
    expect(provenExclusions(['docs/**'], tracked(['docs/a/b.md', 'docs/c.md']), { roots: ['docs'] })).toEqual([]);
    expect(provenExclusions(['docs/**'], tracked(['docs/a/b.md', 'docs/c.md']), { roots: [''] })).toEqual([]);
  });
});

describe('workspaceReach', () => {
  let root: string;
  const write = (file: string, text = '{ }') => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  // nix/flake.nix is sure; e2e/x.nix, which it does not reach, is not.
  const files = ['nix/flake.nix', 'nix/lib.nix', 'e2e/x.nix', 'docs/guide.md'];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'workspace-reach-'));
    write('nix/flake.nix', '{ outputs = _: { lib = import ./lib.nix; }; }');
    write('nix/lib.nix');
    write('e2e/x.nix', '/. + "/etc"');
    write('docs/guide.md');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('starts at the flake.nix of the flake option\'s folder', () => {
    expect(workspaceReach(root, tracked(files), 'nix')).toEqual({ roots: ['nix/lib.nix'] });
    expect(workspaceReach(root, tracked(files), './nix/')).toEqual({ roots: ['nix/lib.nix'] });
    expect(sharedHostInputs(root, [], tracked(files), 'nix')).toContain('!{workspaceRoot}/docs/**');
  });

  it.each(['.', '../fleet', '/srv/fleet', 'github:me/fleet', 'git+https://example.org/fleet'])('starts at every .nix file for flake %j, which is no tracked flake.nix', (flake) => {
    expect(workspaceReach(root, tracked(files), flake).unsure).toMatch(/^e2e\/x.nix: an absolute path/);
  });

  it('never reads a flake URL as a folder of the workspace, even one of that name', () => {
    write('github:me/fleet/flake.nix');
    expect(workspaceReach(root, tracked([...files, 'github:me/fleet/flake.nix']), 'github:me/fleet').unsure).toMatch(/^e2e\/x.nix/);
  });

  it('scans nothing of a tracked file deleted from the work tree, and reaches it all the same', () => {
    write('nix/flake.nix', '{ outputs = _: { a = import ./gone.nix; b = builtins.readFile ./gone-dir/x; }; }');
    expect(workspaceReach(root, tracked([...files, 'nix/gone.nix']), 'nix')).toEqual({ roots: ['nix/gone-dir/x', 'nix/gone.nix'] });
  });

  it('hashes the ignored tracked files at run time only in a git work tree', () => {
    const last = (git: boolean) => sharedHostInputs(root, [], tracked(files, git), 'nix').at(-1);
    expect(last(true)).toEqual({ runtime: expect.stringContaining('git ls-files -z -c -i --exclude-standard') });
    expect(last(false)).toBe('!{workspaceRoot}/packages/nix-fleet-plugin/**');
  });
});
