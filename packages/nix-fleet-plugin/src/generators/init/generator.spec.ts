import { readJson, type Tree } from '@nx/devkit';
import { emptyTree } from '../../../testing/test-tree';
import { initGenerator, SKELETON_HINT } from './generator';

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = emptyTree();
  });

  it('registers the plugin and ignores build output, once however often it runs', async () => {
    tree.write('.gitignore', 'node_modules/\n/dist\ncoverage');
    await initGenerator(tree);
    await initGenerator(tree);
    expect(readJson(tree, 'nx.json').plugins).toEqual(['@nix-fleet/nx']);
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules/\n/dist\ncoverage\n.nx\nresult\nresult-*\n*.sec\n*.key\n');
  });

  it('keeps other plugins and their options', async () => {
    tree.write('nx.json', JSON.stringify({ plugins: [{ plugin: '@nx/js/typescript', options: { build: false } }] }));
    await initGenerator(tree);
    expect(readJson(tree, 'nx.json').plugins).toEqual([{ plugin: '@nx/js/typescript', options: { build: false } }, '@nix-fleet/nx']);
  });

  it.each([
    [{ plugin: '@nix-fleet/nx', options: { flake: './nix' } }],
    ['./packages/nix-fleet-plugin'],
  ])('sees an existing registration %j and leaves it alone', async (entry) => {
    tree.write('nx.json', JSON.stringify({ plugins: [entry] }));
    await initGenerator(tree);
    expect(readJson(tree, 'nx.json').plugins).toEqual([entry]);
  });

  it('creates nx.json and .gitignore when the workspace has neither', async () => {
    tree.delete('nx.json');
    await initGenerator(tree);
    expect(readJson(tree, 'nx.json').plugins).toEqual(['@nix-fleet/nx']);
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\ndist\n.nx\nresult\nresult-*\n*.sec\n*.key\n');
  });

  it('without --fleet writes no skeleton, and says how to add it when the workspace has no flake', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const done = await initGenerator(tree);
      expect(tree.exists('flake.nix')).toBe(false);
      expect(tree.exists('packages/profiles/default.nix')).toBe(false);
      done();
      expect(log.mock.calls.map((c) => c[0])).toContain(SKELETON_HINT);
      expect(SKELETON_HINT).toContain('npx nx g @nix-fleet/nx:init --fleet');
    } finally {
      log.mockRestore();
    }
  });

  it('--fleet writes the fleet skeleton where it is missing and keeps what the workspace has', async () => {
    tree.write('flake.nix', '# mine\n{ outputs = _: { }; }\n');
    await initGenerator(tree, { fleet: true });
    expect(tree.read('flake.nix', 'utf-8')).toBe('# mine\n{ outputs = _: { }; }\n');
    expect(tree.exists('packages/profiles/default.nix')).toBe(true);
    expect(tree.exists('docs/Profile-System.md')).toBe(true);
    expect(tree.exists('hosts/.gitkeep')).toBe(true);
    expect(tree.read('docs/Profile-System.md', 'utf-8')).not.toContain('repo-only');
  });
});
