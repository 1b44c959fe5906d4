// The generators through the real nx CLI in a temp git workspace that has this repo's profile library.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nixFiles, unparsable } from '../../support/nix-parse';
import { createWorkspace, REPO_ROOT, type Workspace } from '../../support/workspace';

describe('generators with the real nx CLI', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = createWorkspace(`nix-fleet-gen-${process.pid}-`);
    cpSync(join(REPO_ROOT, 'packages', 'profiles'), join(ws.root, 'packages', 'profiles'), { recursive: true });
    cpSync(join(REPO_ROOT, 'flake.nix'), join(ws.root, 'flake.nix'));
    // As in a fleet from create-nix-fleet: Nx finds a plugin's short generator names through package.json.
    const pkg = JSON.parse(readFileSync(join(ws.root, 'package.json'), 'utf-8'));
    writeFileSync(join(ws.root, 'package.json'), JSON.stringify({ ...pkg, devDependencies: { '@nix-fleet/nx': '*' } }, null, 2));
    ws.commit('fleet skeleton');
  });
  afterAll(() => ws?.remove());

  it('adds a server with a role: the project has the inferred targets and tags at once', () => {
    ws.nx(['g', '@nix-fleet/nx:host', 'web1', '--type=server', '--roles=web', '--target-host=10.0.0.11']);
    const project = JSON.parse(ws.nx(['show', 'project', 'web1', '--json']).stdout);
    expect(project.root).toBe('hosts/web1');
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['build', 'closure-size', 'deploy']));
    expect(project.targets.build.executor).toBe('@nix-fleet/nx:build');
    expect(project.tags).toEqual(expect.arrayContaining(['type:server', 'role:web']));
    expect(JSON.parse(readFileSync(join(ws.root, 'hosts/web1/host.json'), 'utf-8')).deployment).toEqual({ targetHost: '10.0.0.11' });
  });

  it('a --target-host the schema cannot take is answered in words, never with a raw regex', () => {
    const before = ws.git(['status', '--porcelain', '--untracked-files=all']);
    const r = ws.nx(['g', '@nix-fleet/nx:host', 'addr1', '--type=vm', '--target-host=root@10.0.0.5', '--dry-run'], { allowFailure: true });
    const out = `${r.stdout}${r.stderr}`;
    expect(out).not.toMatch(/should match|does not match the schema|\^\[/);
    if (r.status !== 0) expect(out).toContain('--target-host "root@10.0.0.5"');
    expect(ws.git(['status', '--porcelain', '--untracked-files=all'])).toBe(before);
  });

  it('a new profile is accepted by the next host, and every .nix of the workspace parses', () => {
    ws.nx(['g', '@nix-fleet/nx:profile', 'media', '--options=jellyfin,plex', '--packages=mpv', '--enable-on=web1']);
    ws.nx(['g', '@nix-fleet/nx:host', 'media1', '--type=server', '--profiles=media']);
    ws.nx(['g', '@nix-fleet/nx:server-role', 'storage-box', '--services=nfs', '--ports=2049']);
    ws.nx(['g', '@nix-fleet/nx:host', 'nas', '--type=server', '--roles=storage-box,web']);
    expect(JSON.parse(readFileSync(join(ws.root, 'hosts/media1/host.json'), 'utf-8')).profiles).toEqual(['media']);
    expect(JSON.parse(readFileSync(join(ws.root, 'hosts/web1/host.json'), 'utf-8')).profiles).toEqual(['media']);
    const projects = JSON.parse(ws.nx(['show', 'projects', '--json']).stdout);
    expect(projects).toEqual(expect.arrayContaining(['web1', 'media1', 'nas', 'profiles']));
    const nas = JSON.parse(ws.nx(['show', 'project', 'nas', '--json']).stdout);
    expect(nas.tags).toEqual(expect.arrayContaining(['role:storage-box', 'role:web']));
    const files = nixFiles(ws.root);
    expect(files).toEqual(expect.arrayContaining(['packages/profiles/media.nix', 'packages/profiles/server/roles/storage-box.nix']));
    expect(unparsable(ws.root, files)).toEqual([]);
  });

  it('the short form "nx g host" resolves to @nix-fleet/nx, and --dry-run writes nothing', () => {
    const out = ws.nx(['g', 'host', 'desk1', '--type=desktop', '--dry-run']);
    expect(out.stdout).toContain('CREATE hosts/desk1/host.json');
    expect(out.stdout).toContain('@nix-fleet/nx:host');
    expect(existsSync(join(ws.root, 'hosts/desk1'))).toBe(false);
  });

  it.each([
    [['web1', '--type=server'], /Host "web1" already exists at hosts\/web1\. Pick another name or pass --force\./],
    [['db1', '--type=server', '--roles=mail'], /Unknown role "mail" in --roles\./],
    [['db1', '--type=router'], /Property 'type' does not match the schema\. 'router' should be one of laptop,desktop,server,vm\./],
    [['a;b', '--type=vm'], /Property 'name' does not match the schema\. 'a;b' should match the pattern/],
  ])('nx g host %j fails with a clear message and leaves the workspace untouched', (args, message) => {
    const before = ws.git(['status', '--porcelain', '--untracked-files=all']);
    const result = ws.nx(['g', '@nix-fleet/nx:host', ...args], { allowFailure: true });
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(message);
    expect(ws.git(['status', '--porcelain', '--untracked-files=all'])).toBe(before);
  });

  it('init registers the plugin once', () => {
    ws.nx(['g', '@nix-fleet/nx:init']);
    const nxJson = JSON.parse(readFileSync(join(ws.root, 'nx.json'), 'utf-8'));
    expect(nxJson.plugins.filter((p: { plugin?: string } | string) => (typeof p === 'string' ? p : p.plugin) === '@nix-fleet/nx')).toHaveLength(1);
    expect(readFileSync(join(ws.root, '.gitignore'), 'utf-8')).toContain('result');
  });
});
