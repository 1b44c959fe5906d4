import { readJson, type Tree } from '@nx/devkit';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nixFilesIn, parseNixFiles } from '../../../testing/nix-parse';
import { emptyTree, snapshotTree } from '../../../testing/test-tree';
import { pathsNamedIn } from '../../../testing/doc-paths';
import { brokenLinks, REPO_ONLY_MARKERS } from '../../../testing/doc-links';
import { fleetTemplate, PLUGIN_ROOT } from '../shared/workspace-files';
import { parseHostsOption, presetGenerator, versions } from './generator';

const REPO = join(PLUGIN_ROOT, '..', '..');

function filesOnDisk(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry.startsWith('.')) return [];
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesOnDisk(path, `${prefix}${entry}/`) : [`${prefix}${entry}`];
  });
}

describe('preset generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = emptyTree();
  });

  it('writes package.json with nx and the plugin pinned, and nx.json with the plugin', async () => {
    await presetGenerator(tree, { name: 'my-fleet' });
    const { nx, plugin } = versions();
    expect(plugin).toBe(JSON.parse(readFileSync(join(PLUGIN_ROOT, 'package.json'), 'utf-8')).version);
    expect(nx).toMatch(/^\d+\.\d+\.\d+/);
    const pkg = readJson(tree, 'package.json');
    expect(pkg).toMatchObject({ name: 'my-fleet', private: true });
    expect(pkg.devDependencies).toMatchObject({ nx, '@nix-fleet/nx': plugin });
    const nxJson = readJson(tree, 'nx.json');
    expect(nxJson).toMatchObject({ analytics: false, cacheDirectory: '.nx/cache' });
    expect(nxJson.plugins.filter((p: unknown) => p === '@nix-fleet/nx')).toHaveLength(1);
    const ignored = (tree.read('.gitignore', 'utf-8') ?? '').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.nx', 'result']));
    expect(tree.read('README.md', 'utf-8')).toMatch(/^# my-fleet\n[\s\S]*Hosts: none yet\./);
    expect(tree.exists('hosts/.gitkeep')).toBe(true);
  });

  it('copies flake.nix, the whole profile library and the docs from one source', async () => {
    await presetGenerator(tree, { name: 'my-fleet' });
    const { base } = fleetTemplate();
    expect(tree.read('flake.nix', 'utf-8')).toBe(readFileSync(join(base, 'flake.nix'), 'utf-8'));
    const library = filesOnDisk(join(base, 'packages/profiles'));
    expect(library).toEqual(expect.arrayContaining(['default.nix', 'lib/default.nix', 'server/roles/default.nix']));
    for (const file of library) {
      expect(tree.read(`packages/profiles/${file}`, 'utf-8')).toBe(readFileSync(join(base, 'packages/profiles', file), 'utf-8'));
    }
    expect(tree.exists('docs/reference/host-json.md')).toBe(true);
  });

  it('gives the fleet only what it uses: no apps/ or libs/, no HTML escapes, docs that name only its own paths', async () => {
    await presetGenerator(tree, { name: 'my-fleet', hosts: 'ares:laptop,web1:server,box:vm,ws:desktop' });
    const files = snapshotTree(tree);
    expect([...files.keys()].filter((f) => /^(apps|libs)\//.test(f))).toEqual([]);
    expect([...files.entries()].filter(([, text]) => /&#\d+;|&(amp|lt|gt|quot);/.test(text)).map(([f]) => f)).toEqual([]);
    expect(files.get('hosts/ares/configuration.nix')).toMatch(/^# ares: a laptop\. Its type switches on/);
    const docs = [...files.entries()].filter(([f]) => f.endsWith('.md'));
    expect(docs.map(([f]) => f)).toEqual(expect.arrayContaining(['README.md', 'docs/Profile-System.md', 'docs/reference/generators.md']));
    for (const [file, text] of docs) {
      const missing = pathsNamedIn(text, file).filter((p) => !p.startsWith('node_modules/') && !tree.exists(p));
      expect({ file, missing }).toEqual({ file, missing: [] });
      expect({ file, repoOnly: REPO_ONLY_MARKERS.filter((m) => text.includes(m)) }).toEqual({ file, repoOnly: [] });
      // Nx runs through npx in a fleet: no bare "nx <command>".
      expect({ file, bare: text.match(/(?<![\w@./-])(?<!npx )nx (g|run|run-many|affected|show|add)\b.*/g) }).toEqual({ file, bare: null });
    }
    expect(readJson(tree, 'nx.json').tui).toEqual({ autoExit: true });
    expect(brokenLinks(files)).toEqual([]);
  });

  it('gives the fleet every user guide: each docs/*.md but the ones about this repository', async () => {
    await presetGenerator(tree, { name: 'my-fleet' });
    const repoDocs = ['Architecture.md', 'Benchmarks.md', 'Testing.md'];
    const guides = readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md') && !repoDocs.includes(f));
    expect(guides).toEqual(expect.arrayContaining(['Homelab-Guide.md', 'Migration-Guide.md', 'Comparison.md', 'Scaling-Builds.md']));
    expect(guides.filter((g) => !tree.exists(`docs/${g}`))).toEqual([]);
    expect(repoDocs.filter((d) => tree.exists(`docs/${d}`))).toEqual([]);
  });

  it('adds the first hosts with the host generator, and every .nix parses', async () => {
    await presetGenerator(tree, { name: 'my-fleet', hosts: 'ares:laptop,web1:server,box:vm,ws:desktop' });
    expect(readJson(tree, 'hosts/ares/host.json')).toMatchObject({ type: 'laptop', nixpkgs: 'unstable' });
    expect(readJson(tree, 'hosts/ares/host.json').profiles).toBeUndefined();
    expect(readJson(tree, 'hosts/web1/host.json').nixpkgs).toBe('stable');
    expect(tree.read('hosts/ares/home.nix', 'utf-8')).toContain('Home Manager settings');
    expect(readJson(tree, 'hosts/web1/host.json').type).toBe('server');
    expect(tree.read('hosts/box/hardware-configuration.nix', 'utf-8')).toContain('qemu-guest.nix');
    expect(tree.exists('hosts/.gitkeep')).toBe(false);
    expect(tree.read('README.md', 'utf-8')).toContain('Hosts: `ares` (laptop), `web1` (server), `box` (vm), `ws` (desktop).');
    const files = nixFilesIn(tree);
    expect(files.length).toBeGreaterThan(20);
    expect(await parseNixFiles(tree, files)).toEqual([]);
  });

  it.each([
    ['no type', 'ares', /Invalid --hosts entry "ares": give name:type pairs, e\.g\. --hosts=ares:laptop,web1:server/],
    ['an unknown type', 'ares:router', /Invalid --hosts entry "ares:router": unknown type "router"/],
    ['a path', '../x:laptop', /Invalid --hosts entry "\.\.\/x"/],
    ['a semicolon', 'a;b:server', /Invalid --hosts entry "a;b"/],
    ['three parts', 'a:server:web', /Invalid --hosts entry "a:server:web"/],
    ['a host twice', 'a:server,a:vm', /Host "a" is twice in --hosts/],
    ['the profile library\'s name', 'ares:laptop,profiles:vm', /^Invalid --hosts entry "profiles:vm": the host name "profiles" is reserved: it is the Nx project of the profile library \(packages\/profiles\)\. Pick another name, e\.g\. "profiles-1"\.$/],
    ['a target name', 'deploy:server', /^Invalid --hosts entry "deploy:server": the host name "deploy" is reserved/],
  ])('rejects %s in --hosts before writing anything', async (_what, hosts, message) => {
    expect.assertions(2);
    const before = snapshotTree(tree);
    await presetGenerator(tree, { name: 'my-fleet', hosts }).catch((e: Error) => expect(e.message).toMatch(message));
    expect(snapshotTree(tree)).toEqual(before);
  });

  it('rejects a bad fleet name before writing anything', async () => {
    const before = snapshotTree(tree);
    await expect(presetGenerator(tree, { name: 'My Fleet' })).rejects.toThrow(/Invalid name "My Fleet".*my-fleet/);
    expect(snapshotTree(tree)).toEqual(before);
  });

  it('parses --hosts lists and arrays alike', () => {
    expect(parseHostsOption(['a:vm', 'b:server'])).toEqual(parseHostsOption(' a:vm , b:server '));
    expect(parseHostsOption(undefined)).toEqual([]);
  });

  it('reads the template from the built package when it has one, else from the monorepo', () => {
    const root = mkdtempSync(join(tmpdir(), `nix-fleet-template-${process.pid}-`));
    try {
      writeFileSync(join(root, 'fleet-template.json'), JSON.stringify({ files: ['flake.nix'] }));
      expect(fleetTemplate(root)).toEqual({ base: join(root, '..', '..'), files: ['flake.nix'] });
      mkdirSync(join(root, 'fleet-template'));
      expect(fleetTemplate(root)).toEqual({ base: join(root, 'fleet-template'), files: ['flake.nix'] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(fleetTemplate().base).toBe(REPO);
  });
});
