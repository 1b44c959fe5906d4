import { readJson, type Tree } from '@nx/devkit';
import { emptyTree } from '../../../testing/test-tree';
import { initGenerator } from './generator';

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
});
