import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHostJson } from '../../host/host-json';
import { readJson, type Tree } from '@nx/devkit';
import { parseNixFiles, nixFilesIn } from '../../../testing/nix-parse';
import { captureLog, type CapturedLog } from '../../../testing/console-log';
import { snapshotTree, treeWithProfiles } from '../../../testing/test-tree';
import { hostGenerator } from './generator';
import type { HostGeneratorSchema } from './schema';

describe('host generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = treeWithProfiles();
  });

  it('writes host.json, configuration.nix and a placeholder hardware file for a laptop', async () => {
    await hostGenerator(tree, { name: 'ares', type: 'laptop' });
    expect(readJson(tree, 'hosts/ares/host.json')).toEqual({
      $schema: '../../node_modules/@nix-fleet/nx/host.schema.json',
      type: 'laptop',
      system: 'x86_64-linux',
      nixpkgs: 'unstable',
    });
    const config = tree.read('hosts/ares/configuration.nix', 'utf-8');
    expect(config).toMatch(/^# ares: a laptop\./);
    expect(config).toContain('imports = [ ./hardware-configuration.nix ];');
    expect(config).toContain('base.user.sshKeys = [ ];');
    expect(config).toMatch(/system\.stateVersion = "\d+\.\d+";/);
    const hardware = tree.read('hosts/ares/hardware-configuration.nix', 'utf-8');
    expect(hardware).toContain('throw');
    expect(hardware).toContain('nixos-generate-config --show-hardware-config > hosts/ares/hardware-configuration.nix');
  });

  it.each([
    ['laptop', undefined, undefined],
    ['laptop', 'gaming,desktop,development', ['gaming']],
    ['laptop', 'power-user,gaming,power-user', ['power-user', 'gaming']],
    ['desktop', undefined, undefined],
    ['desktop', 'gaming,base', ['base']],
    ['server', undefined, undefined],
    ['server', 'server,gaming', ['gaming']],
    ['vm', undefined, undefined],
    ['vm', 'development', ['development']],
  ] as const)('a %s with --profiles=%s lists profiles %j (type presets left out)', async (type, profiles, expected) => {
    await hostGenerator(tree, { name: 'h1', type, profiles });
    expect(readJson(tree, 'hosts/h1/host.json').profiles).toEqual(expected);
    expect(readJson(tree, 'hosts/h1/host.json').type).toBe(type);
  });

  it('gives a vm QEMU guest hardware with a virtio root by label', async () => {
    await hostGenerator(tree, { name: 'vm1', type: 'vm', system: 'aarch64-linux' });
    const hardware = tree.read('hosts/vm1/hardware-configuration.nix', 'utf-8');
    expect(hardware).toContain('(modulesPath + "/profiles/qemu-guest.nix")');
    expect(hardware).toContain('services.qemuGuest.enable = true;');
    expect(hardware).toContain('device = "/dev/disk/by-label/nixos";');
    expect(hardware).toContain('"virtio_pci"');
    expect(hardware).not.toContain('throw');
    expect(readJson(tree, 'hosts/vm1/host.json').system).toBe('aarch64-linux');
  });

  it('writes roles, extra profiles, deployment and tags into host.json', async () => {
    await hostGenerator(tree, {
      name: 'web1',
      type: 'server',
      roles: 'web,database',
      profiles: 'gaming,server',
      tags: 'site:home, rack:1',
      targetHost: '10.0.0.11',
      targetUser: 'root',
    });
    expect(readJson(tree, 'hosts/web1/host.json')).toEqual({
      $schema: '../../node_modules/@nix-fleet/nx/host.schema.json',
      type: 'server',
      system: 'x86_64-linux',
      nixpkgs: 'stable',
      roles: ['web', 'database'],
      profiles: ['gaming'],
      deployment: { targetHost: '10.0.0.11', targetUser: 'root', tags: ['site:home', 'rack:1'] },
    });
  });

  it('--force rewrites host.json and configuration.nix but keeps a detected hardware file', async () => {
    await hostGenerator(tree, { name: 'ares', type: 'laptop' });
    tree.write('hosts/ares/hardware-configuration.nix', '# detected\n{ ... }: { }\n');
    await hostGenerator(tree, { name: 'ares', type: 'desktop', force: true });
    expect(readJson(tree, 'hosts/ares/host.json').type).toBe('desktop');
    expect(readJson(tree, 'hosts/ares/host.json').profiles).toBeUndefined();
    expect(tree.read('hosts/ares/configuration.nix', 'utf-8')).toMatch(/^# ares: a desktop\./);
    expect(tree.read('hosts/ares/hardware-configuration.nix', 'utf-8')).toBe('# detected\n{ ... }: { }\n');
  });

  const bad: [string, Partial<HostGeneratorSchema>, RegExp][] = [
    ['an unknown nixpkgs branch', { nixpkgs: 'nixos-24.05' as never }, /^Unknown --nixpkgs "nixos-24\.05"\. Use one of unstable, stable\.$/],
    ['a path', { name: '../x' }, /Invalid name "\.\.\/x".*RFC 1123/],
    ['a space', { name: 'a b' }, /Invalid name "a b"/],
    ['a semicolon', { name: 'a;b' }, /Invalid name "a;b"/],
    ['upper case', { name: 'Web1' }, /Invalid name "Web1"/],
    ['a trailing dash', { name: 'web-' }, /Invalid name "web-"/],
    ['no name', { name: '' }, /Missing host name/],
    ['an unknown type', { type: 'router' as never }, /Unknown --type "router"\. Use one of laptop, desktop, server, vm/],
    ['an unknown system', { system: 'x86_64-darwin' as never }, /Unknown --system "x86_64-darwin"/],
    ['an existing host', { name: 'taken' }, /Host "taken" already exists at hosts\/taken\. Pick another name or pass --force\./],
    ['an unknown role', { roles: 'web,mail' }, /Unknown role "mail" in --roles\. Known roles: database, docker, monitoring, web\. .*server-role mail/],
    ['roles on a laptop', { type: 'laptop', roles: 'web' }, /--roles is for servers, but --type is "laptop"/],
    ['a role like a path', { roles: '../web' }, /Unknown role "\.\.\/web" in --roles.*server-role <name>/],
    ['an unknown profile', { profiles: 'media' }, /Unknown profile "media" in --profiles\. Known profiles: base, desktop, development, gaming, power-user, server\. .*profile media/],
    ['a file that is no profile', { profiles: 'machine-type' }, /Unknown profile "machine-type" in --profiles/],
    ['a bad tag', { tags: 'ok,bad tag' }, /Invalid --tags entry "bad tag"/],
    ['a bad target host', { targetHost: 'a;rm -rf' }, /^--target-host="a;rm -rf" is not a target address: give \[user@\]host\[:port\]/],
    ['a target host like an option', { targetHost: '-Jevil' }, /^--target-host="-Jevil" starts with "-": ssh would read it as an option/],
    ['a target host with another user', { targetHost: 'root@10.0.0.5', targetUser: 'admin' }, /names user "root", but the target user is "admin"/],
    ['a target port out of range', { targetHost: 'web1.lan:70000' }, /port 70000 is not a TCP port/],
    ['a bad target user', { targetUser: 'Root User' }, /Invalid --target-user "Root User"/],
  ];
  it.each(bad)('rejects %s before writing anything', async (_what, override, message) => {
    expect.assertions(2);
    tree.write('hosts/taken/host.json', '{"type":"vm","system":"x86_64-linux"}');
    const before = snapshotTree(tree);
    try {
      await hostGenerator(tree, { name: 'web1', type: 'server', ...override } as HostGeneratorSchema);
    } catch (e) {
      expect((e as Error).message).toMatch(message);
    }
    expect(snapshotTree(tree)).toEqual(before);
  });

  describe('a name Nx already knows (issue 11, item 3)', () => {
    const refuse = async (name: string, message: string) => {
      expect.hasAssertions();
      const before = snapshotTree(tree);
      try {
        await hostGenerator(tree, { name, type: 'vm' });
        throw new Error(`host ${name} was not refused`);
      } catch (e) {
        expect((e as Error).message).toBe(message);
      }
      expect(snapshotTree(tree)).toEqual(before);
    };

    it('refuses "profiles", the profile library\'s project, and writes nothing', () =>
      refuse(
        'profiles',
        'Invalid name: the host name "profiles" is reserved: it is the Nx project of the profile library (packages/profiles). ' +
          'Pick another name, e.g. "profiles-1".',
      ));

    it.each(['build', 'closure-size', 'deploy'])('refuses the target name %s', (name) =>
      refuse(
        name,
        `Invalid name: the host name "${name}" is reserved: it is the name of a target every host has (nx run <host>:${name}). ` +
          `Pick another name, e.g. "${name}-1".`,
      ));

    it('refuses the renamed target names of the plugin options, and allows the default ones then', async () => {
      tree.write('nx.json', JSON.stringify({ plugins: [{ plugin: '@nix-fleet/nx', options: { buildTargetName: 'nix-build' } }] }));
      await refuse(
        'nix-build',
        'Invalid name: the host name "nix-build" is reserved: it is the name of a target every host has (nx run <host>:nix-build). ' +
          'Pick another name, e.g. "nix-build-1".',
      );
      await hostGenerator(tree, { name: 'build', type: 'vm' });
      expect(tree.exists('hosts/build/host.json')).toBe(true);
    });

    it.each([
      ['a project.json project', 'libs/web1/project.json', JSON.stringify({ name: 'web1', root: 'libs/web1' }), 'libs/web1'],
      ['a package.json project', 'tools/web1/package.json', JSON.stringify({ name: 'web1' }), 'tools/web1'],
    ])('refuses the name of %s', async (_what, file, content, root) => {
      tree.write(file, content);
      if (file.endsWith('package.json')) tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['tools/*'] }));
      await refuse(
        'web1',
        `Invalid name: the host name "web1" is taken by the Nx project at ${root}, and Nx needs every project name once. Pick another name.`,
      );
    });
  });

  it.each([
    ['root@10.0.0.5', { targetHost: '10.0.0.5', targetUser: 'root' }],
    ['web1.lan:2222', { targetHost: 'web1.lan', port: 2222 }],
    ['deploy@[2001:db8::7]:22', { targetHost: '2001:db8::7', targetUser: 'deploy', port: 22 }],
  ])('splits --target-host=%s into host.json fields, and the graph accepts them', async (targetHost, deployment) => {
    await hostGenerator(tree, { name: 'split1', type: 'server', targetHost } as HostGeneratorSchema);
    const written = JSON.parse(tree.read('hosts/split1/host.json', 'utf-8')!);
    expect(written.deployment).toEqual(deployment);
    expect(() => parseHostJson(JSON.stringify(written), 'hosts/split1/host.json')).not.toThrow();
  });

  it('writes Nix that real nix-instantiate parses, for every type with and without roles', async () => {
    const cases: HostGeneratorSchema[] = [
      { name: 'l1', type: 'laptop' },
      { name: 'l2', type: 'laptop', profiles: 'gaming' },
      { name: 'd1', type: 'desktop', profiles: 'gaming,power-user' },
      { name: 's1', type: 'server' },
      { name: 's2', type: 'server', roles: 'web,database,docker,monitoring', targetHost: 'web1.lan' },
      { name: 'v1', type: 'vm' },
      { name: 'v2', type: 'vm', profiles: 'base', system: 'aarch64-linux' },
    ];
    for (const c of cases) await hostGenerator(tree, c);
    const files = nixFilesIn(tree, 'hosts');
    // configuration.nix and hardware-configuration.nix each, and home.nix for the two laptops and the desktop.
    expect(files).toHaveLength(cases.length * 2 + 3);
    expect(await parseNixFiles(tree, files)).toEqual([]);
  });
});

describe('host generator: machine types from packages/profiles/lib/machine-types.json', () => {
  let tree: Tree;
  let log: CapturedLog;
  beforeEach(() => {
    tree = treeWithProfiles();
    log = captureLog();
  });
  afterEach(() => log.restore());
  const said = () => log.text();

  it('a desktop is the workstation: the generator prints desktop, development, gaming and power-user with Octave', async () => {
    const done = await hostGenerator(tree, { name: 'workstation', type: 'desktop' });
    done();
    expect(said()).toContain(
      'Type desktop switched on desktop, development, home, gaming, power-user, power-user.scientific.octave (packages/profiles/lib/machine-types.json); nixpkgs unstable.',
    );
    expect(said()).toContain('Turn any of them off in hosts/workstation/configuration.nix, e.g. profiles."power-user".scientific.octave.enable = false;');
    const config = tree.read('hosts/workstation/configuration.nix', 'utf-8') ?? '';
    expect(config).toContain('    # gaming.enable = false;\n');
    expect(config).toContain('    # "power-user".scientific.octave.enable = false;\n');
    expect(config).toContain('home.modules = [ ./home.nix ];');
    expect(tree.read('hosts/workstation/home.nix', 'utf-8')).toMatch(/^# workstation: Home Manager settings/);
  });

  it('a laptop switches on neither gaming nor power-user nor Octave', async () => {
    (await hostGenerator(tree, { name: 'ares', type: 'laptop' }))();
    expect(said()).toContain('Type laptop switched on desktop, development, home (packages/profiles/lib/machine-types.json); nixpkgs unstable.');
    const config = tree.read('hosts/ares/configuration.nix', 'utf-8') ?? '';
    expect(config).not.toMatch(/gaming|power-user|octave/);
  });

  it('a server follows stable unless --nixpkgs says otherwise, and has no home.nix', async () => {
    (await hostGenerator(tree, { name: 'web1', type: 'server' }))();
    await hostGenerator(tree, { name: 'web2', type: 'server', nixpkgs: 'unstable' });
    await hostGenerator(tree, { name: 'lap', type: 'laptop', nixpkgs: 'stable' });
    expect(readJson(tree, 'hosts/web1/host.json').nixpkgs).toBe('stable');
    expect(readJson(tree, 'hosts/web2/host.json').nixpkgs).toBe('unstable');
    expect(readJson(tree, 'hosts/lap/host.json').nixpkgs).toBe('stable');
    expect(said()).toContain('Type server switched on server, server.roles.general (packages/profiles/lib/machine-types.json); nixpkgs stable.');
    expect(tree.exists('hosts/web1/home.nix')).toBe(false);
    expect(tree.read('hosts/web1/configuration.nix', 'utf-8')).not.toContain('home.modules');
  });

  it("reads the fleet's own file: a fleet that changed its desktop gets what it says", async () => {
    const types = JSON.parse(tree.read('packages/profiles/lib/machine-types.json', 'utf-8') ?? 'null') ?? readTemplateTypes();
    types.desktop.profiles = ['desktop', 'development'];
    tree.write('packages/profiles/lib/machine-types.json', JSON.stringify(types));
    (await hostGenerator(tree, { name: 'desk', type: 'desktop', profiles: 'gaming' }))();
    expect(said()).toContain('Type desktop switched on desktop, development; host.json adds gaming');
    expect(readJson(tree, 'hosts/desk/host.json').profiles).toEqual(['gaming']);
    expect(tree.exists('hosts/desk/home.nix')).toBe(false);
  });

  it.each([
    ['not JSON', '{ laptop: ', /^packages\/profiles\/lib\/machine-types\.json is not valid JSON/],
    ['a type without a list', '{"laptop":{"profiles":"desktop"}}', /^packages\/profiles\/lib\/machine-types\.json has no "profiles" list for type "laptop"/],
  ])('refuses a machine-types.json that is %s and writes nothing', async (_what, text, message) => {
    expect.assertions(2);
    tree.write('packages/profiles/lib/machine-types.json', text);
    const before = snapshotTree(tree);
    await expect(hostGenerator(tree, { name: 'ares', type: 'laptop' })).rejects.toThrow(message);
    expect(snapshotTree(tree)).toEqual(before);
  });

  it('--force rewrites configuration.nix but keeps the host\'s home.nix', async () => {
    await hostGenerator(tree, { name: 'ares', type: 'laptop' });
    tree.write('hosts/ares/home.nix', '# mine\n{ ... }: { programs.jq.enable = true; }\n');
    await hostGenerator(tree, { name: 'ares', type: 'desktop', force: true });
    expect(tree.read('hosts/ares/home.nix', 'utf-8')).toBe('# mine\n{ ... }: { programs.jq.enable = true; }\n');
  });
});

function readTemplateTypes() {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'profiles', 'lib', 'machine-types.json'), 'utf-8'));
}
