import type { Tree } from '@nx/devkit';
import { hostGenerator } from '../host/generator';
import { parseNixFiles } from '../../../testing/nix-parse';
import { snapshotTree, treeWithProfiles } from '../../../testing/test-tree';
import { serverRoleGenerator } from './generator';
import type { ServerRoleGeneratorSchema } from './schema';

describe('server-role generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = treeWithProfiles();
  });

  it('writes a role module that acts only on servers', async () => {
    await serverRoleGenerator(tree, { name: 'media', description: 'Jellyfin for the house.' });
    const text = tree.read('packages/profiles/server/roles/media.nix', 'utf-8') ?? '';
    expect(text.split('\n')[0]).toBe('# Server role "media": Jellyfin for the house.');
    expect(text).toContain('cfg = config.profiles.server.roles.media;');
    expect(text).toContain('options.profiles.server.roles.media = {');
    expect(text).toContain('enable = mkEnableOption "the media role (Jellyfin for the house)";');
    expect(text).toContain('config = mkIf (config.profiles.server.enable && cfg.enable) {');
    expect(text).toContain('default = [ ];');
    expect(text).toContain('profiles.fleet.firewall.fleetTCPPorts = lib.optionals cfg.openFirewall cfg.ports;');
    expect(text).not.toContain('networking.firewall');
    expect(text).toContain('# The NixOS services of this role go here');
    expect(text).not.toContain('with lib;');
  });

  it('switches services on, sets default ports and installs packages', async () => {
    await serverRoleGenerator(tree, { name: 'media', services: 'jellyfin,nginx', ports: '8096, 443', packages: 'ffmpeg' });
    const text = tree.read('packages/profiles/server/roles/media.nix', 'utf-8') ?? '';
    expect(text).toContain('    services.jellyfin.enable = true;\n    services.nginx.enable = true;\n');
    expect(text).toContain('default = [ 8096 443 ];');
    expect(text).toContain('      pkgs.ffmpeg\n    ]\n    ++ cfg.extraPackages;');
    expect(text).not.toContain('go here');
  });

  it('is accepted by the host generator --roles at once', async () => {
    await serverRoleGenerator(tree, { name: 'media-box' });
    await hostGenerator(tree, { name: 'nas', type: 'server', roles: 'media-box' });
    expect(tree.read('hosts/nas/host.json', 'utf-8')).toContain('"media-box"');
    expect(tree.read('packages/profiles/server/roles/media-box.nix', 'utf-8')).toContain(
      'options.profiles.server.roles."media-box" = {',
    );
  });

  const bad: [string, Partial<ServerRoleGeneratorSchema>, RegExp][] = [
    ['a path', { name: '../x' }, /Invalid name "\.\.\/x": a role name/],
    ['a space', { name: 'a b' }, /Invalid name "a b"/],
    ['a semicolon', { name: 'a;b' }, /Invalid name "a;b"/],
    ['no name', { name: '' }, /Missing role name\. Pass it first: nx g @nix-fleet\/nx:server-role <name>/],
    ['a reserved name', { name: 'default' }, /Invalid name "default": the name is reserved/],
    ['an existing role', { name: 'web' }, /Role "web" already exists at packages\/profiles\/server\/roles\/web\.nix\. Pick another name\./],
    ['a bad port', { ports: '80,http' }, /Invalid --ports entry "http"/],
    ['a port out of range', { ports: '70000' }, /Invalid --ports entry "70000"/],
    ['a bad service', { services: 'nginx;rm' }, /Invalid --services entry "nginx;rm"/],
    ['a bad package', { packages: 'a b' }, /Invalid --packages entry "a b"/],
  ];
  it.each(bad)('rejects %s before writing anything', async (_what, override, message) => {
    expect.assertions(2);
    const before = snapshotTree(tree);
    try {
      await serverRoleGenerator(tree, { name: 'media', ...override } as ServerRoleGeneratorSchema);
    } catch (e) {
      expect((e as Error).message).toMatch(message);
    }
    expect(snapshotTree(tree)).toEqual(before);
  });

  it('refuses to write a role that no default.nix would import', async () => {
    tree.delete('packages/profiles/server/roles/default.nix');
    await expect(serverRoleGenerator(tree, { name: 'media' })).rejects.toThrow(/No role library at packages\/profiles\/server\/roles\/default\.nix/);
  });

  it('writes Nix that real nix-instantiate parses, with and without services, ports and packages', async () => {
    await serverRoleGenerator(tree, { name: 'plain' });
    await serverRoleGenerator(tree, { name: 'media', description: 'a "quoted" ${x}', services: 'jellyfin', ports: [8096, 443], packages: 'ffmpeg,python3Packages.numpy' });
    await serverRoleGenerator(tree, { name: 'media-box', services: 'jellyfin,nginx', ports: '80' });
    const files = ['plain', 'media', 'media-box'].map((r) => `packages/profiles/server/roles/${r}.nix`);
    expect(await parseNixFiles(tree, files)).toEqual([]);
  });
});
