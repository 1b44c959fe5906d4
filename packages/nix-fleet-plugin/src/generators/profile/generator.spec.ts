import { readJson, type Tree } from '@nx/devkit';
import { hostGenerator } from '../host/generator';
import { nixFilesIn, parseNixFiles } from '../../../testing/nix-parse';
import { snapshotTree, treeWithProfiles } from '../../../testing/test-tree';
import { profileGenerator } from './generator';
import type { ProfileGeneratorSchema } from './schema';

describe('profile generator', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = treeWithProfiles();
    await hostGenerator(tree, { name: 'ares', type: 'laptop', profiles: 'gaming' });
    await hostGenerator(tree, { name: 'workstation', type: 'desktop' });
  });

  it('writes an option-gated module in the house style', async () => {
    await profileGenerator(tree, { name: 'media', description: 'Watch and play media' });
    const text = tree.read('packages/profiles/media.nix', 'utf-8') ?? '';
    expect(text.split('\n')[0]).toBe('# media: Watch and play media');
    expect(text).toContain('{\n  config,\n  lib,\n  pkgs,\n  ...\n}:\n');
    expect(text).toContain('cfg = config.profiles.media;');
    expect(text).toContain('inherit (lib) mkEnableOption mkIf mkMerge mkOption types;');
    expect(text).toContain('options.profiles.media = {');
    expect(text).toContain('enable = mkEnableOption "the media profile (Watch and play media)";');
    expect(text).toContain('config = mkIf cfg.enable (mkMerge [');
    expect(text).not.toContain('with lib;');
  });

  it('adds sub-options and packages', async () => {
    await profileGenerator(tree, { name: 'media', options: 'jellyfin,plex', packages: 'mpv, yt-dlp,python3Packages.numpy' });
    const text = tree.read('packages/profiles/media.nix', 'utf-8') ?? '';
    expect(text).toContain('    jellyfin.enable = mkEnableOption "jellyfin";\n    plex.enable = mkEnableOption "plex";\n');
    expect(text).toContain('        pkgs.mpv\n        pkgs.yt-dlp\n        pkgs.python3Packages.numpy\n      ]');
    expect(text).toContain('(mkIf cfg.jellyfin.enable {');
    expect(text).toContain('(mkIf cfg.plex.enable {');
  });

  it('quotes names with "-" in attribute paths', async () => {
    await profileGenerator(tree, { name: 'home-lab', options: 'web-ui' });
    const text = tree.read('packages/profiles/home-lab.nix', 'utf-8') ?? '';
    expect(text).toContain('cfg = config.profiles."home-lab";');
    expect(text).toContain('options.profiles."home-lab" = {');
    expect(text).toContain('"web-ui".enable = mkEnableOption "web-ui";');
    expect(text).toContain('(mkIf cfg."web-ui".enable {');
  });

  it('escapes the description for Nix strings and comments', async () => {
    await profileGenerator(tree, { name: 'media', description: 'Say "hi" ${builtins.abort "x"}\nnext line' });
    const text = tree.read('packages/profiles/media.nix', 'utf-8') ?? '';
    expect(text).toContain('# media: Say "hi" ${builtins.abort "x"} next line\n');
    expect(text).toContain('mkEnableOption "the media profile (Say \\"hi\\" \\${builtins.abort \\"x\\"} next line)";');
    expect(await parseNixFiles(tree, ['packages/profiles/media.nix'])).toEqual([]);
  });

  it('--enable-on appends the profile to those hosts\' host.json only', async () => {
    const aresConfig = tree.read('hosts/ares/configuration.nix', 'utf-8');
    await profileGenerator(tree, { name: 'media', enableOn: 'ares,workstation' });
    await profileGenerator(tree, { name: 'music', enableOn: 'ares' });
    expect(readJson(tree, 'hosts/ares/host.json').profiles).toEqual(['gaming', 'media', 'music']);
    expect(readJson(tree, 'hosts/workstation/host.json').profiles).toEqual(['media']);
    expect(tree.read('hosts/ares/configuration.nix', 'utf-8')).toBe(aresConfig);
  });

  const bad: [string, Partial<ProfileGeneratorSchema>, RegExp][] = [
    ['a path', { name: '../x' }, /Invalid name "\.\.\/x": a profile name starts with a lowercase letter/],
    ['a space', { name: 'a b' }, /Invalid name "a b"/],
    ['a semicolon', { name: 'a;b' }, /Invalid name "a;b"/],
    ['a digit first', { name: '1media' }, /Invalid name "1media"/],
    ['no name', { name: '' }, /Missing profile name/],
    ['a reserved name', { name: 'lib' }, /Invalid name "lib": the name is reserved/],
    ['machineType', { name: 'default' }, /Invalid name "default": the name is reserved/],
    ['a Nix keyword', { name: 'with' }, /Invalid name "with": the name is reserved/],
    ['an existing profile file', { name: 'gaming' }, /Profile "gaming" already exists in packages\/profiles\. Pick another name\./],
    ['an existing profile folder', { name: 'server' }, /reserved|already exists/],
    ['an existing non-profile file', { name: 'machine-type' }, /Profile "machine-type" already exists/],
    ['a bad option', { options: 'ok,Bad Option' }, /Invalid --options entry "Bad Option"/],
    ['enable as an option', { options: 'enable' }, /Invalid --options entry "enable"/],
    ['a bad package', { packages: 'ripgrep,rm -rf' }, /Invalid --packages entry "rm -rf".*ripgrep,python3Packages\.numpy/],
    ['a package with a dot at the end', { packages: 'python3Packages.' }, /Invalid --packages entry "python3Packages\."/],
    ['a package injection', { packages: 'hello;' }, /Invalid --packages entry "hello;"/],
    ['an unknown host', { enableOn: 'ares,nope' }, /Unknown host "nope" in --enable-on\. Known hosts: ares, workstation\./],
  ];
  it.each(bad)('rejects %s before writing anything', async (_what, override, message) => {
    expect.assertions(2);
    const before = snapshotTree(tree);
    try {
      await profileGenerator(tree, { name: 'media', ...override } as ProfileGeneratorSchema);
    } catch (e) {
      expect((e as Error).message).toMatch(message);
    }
    expect(snapshotTree(tree)).toEqual(before);
  });

  it('refuses to write a profile that no default.nix would import', async () => {
    tree.delete('packages/profiles/default.nix');
    await expect(profileGenerator(tree, { name: 'media' })).rejects.toThrow(/No profile library at packages\/profiles\/default\.nix/);
    expect(tree.exists('packages/profiles/media.nix')).toBe(false);
  });

  it('writes Nix that real nix-instantiate parses, with and without options and packages', async () => {
    await profileGenerator(tree, { name: 'plain' });
    await profileGenerator(tree, { name: 'media', description: 'Media "center"', options: 'jellyfin,plex', packages: 'mpv' });
    await profileGenerator(tree, { name: 'home-lab', options: 'web-ui,or-else', packages: "python3Packages.numpy,foo'bar" });
    const files = ['plain', 'media', 'home-lab'].map((p) => `packages/profiles/${p}.nix`);
    expect(await parseNixFiles(tree, files)).toEqual([]);
    expect(await parseNixFiles(tree, nixFilesIn(tree, 'hosts'))).toEqual([]);
  });
});
