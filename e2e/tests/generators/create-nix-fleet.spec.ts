// npx create-nix-fleet from a local registry: the published packages make a working fleet.
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishBuilt, startLocalRegistry, type LocalRegistry } from '../../../tools/local-registry/registry';
import { nixFiles, unparsable } from '../../support/nix-parse';
import { nxEnv, REPO_ROOT } from '../../support/workspace';

describe('npx create-nix-fleet', () => {
  let registry: LocalRegistry | undefined;
  let parent: string;
  const version = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/nix-fleet-plugin/package.json'), 'utf-8')).version;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'tools/build-packages.mjs')], { cwd: REPO_ROOT, stdio: 'pipe' });
    registry = await startLocalRegistry();
    publishBuilt(registry);
    parent = realpathSync(mkdtempSync(join(tmpdir(), `nix-fleet-create-${process.pid}-`)));
  });
  afterAll(async () => {
    await registry?.stop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('creates a fleet whose hosts are projects and whose Nix parses', () => {
    const created = spawnSync('npx', ['--yes', `create-nix-fleet@${version}`, 'my-fleet', '--hosts=ares:laptop,web1:server'], {
      cwd: parent,
      env: nxEnv(registry!.env),
      encoding: 'utf-8',
    });
    expect(`${created.status}\n${created.stderr}`).toMatch(/^0\n/);
    const root = join(parent, 'my-fleet');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8'));
    expect(pkg).toMatchObject({ name: 'my-fleet', private: true });
    expect(pkg.devDependencies).toEqual({ nx: expect.stringMatching(/^\d+\.\d+\.\d+$/), '@nix-fleet/nx': version });
    // Installed from the registry, not linked to this repository.
    expect(lstatSync(join(root, 'node_modules/@nix-fleet/nx')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(root, 'flake.nix'), 'utf-8')).toBe(readFileSync(join(REPO_ROOT, 'flake.nix'), 'utf-8'));
    expect(readFileSync(join(root, 'packages/profiles/default.nix'), 'utf-8')).toBe(
      readFileSync(join(REPO_ROOT, 'packages/profiles/default.nix'), 'utf-8'),
    );
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf-8' });
    expect(tracked.split('\n')).toEqual(expect.arrayContaining(['flake.nix', 'hosts/ares/host.json', 'nx.json', '.gitignore']));
    expect(tracked).not.toContain('node_modules/');

    const nxPkg = JSON.parse(readFileSync(join(root, 'node_modules/nx/package.json'), 'utf-8'));
    const nxJs = join(root, 'node_modules/nx', typeof nxPkg.bin === 'string' ? nxPkg.bin : nxPkg.bin.nx);
    const nx = (args: string[]) => {
      const r = spawnSync(process.execPath, [nxJs, ...args], { cwd: root, env: nxEnv(), encoding: 'utf-8' });
      if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    expect(JSON.parse(nx(['show', 'projects', '--json']))).toEqual(expect.arrayContaining(['ares', 'web1', 'profiles']));
    nx(['g', 'host', 'web2', '--type=server', '--roles=web']);
    const web2 = JSON.parse(nx(['show', 'project', 'web2', '--json']));
    expect(web2.tags).toEqual(expect.arrayContaining(['type:server', 'role:web']));
    expect(unparsable(root, nixFiles(root))).toEqual([]);
  });

  it('refuses a bad name or a non-empty folder before creating anything', () => {
    const cli = join(REPO_ROOT, 'dist/packages/create-nix-fleet/bin/create-nix-fleet.js');
    const bad = spawnSync(process.execPath, [cli, 'My Fleet'], { cwd: parent, encoding: 'utf-8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Invalid name "My Fleet"');
    const taken = spawnSync(process.execPath, [cli, 'my-fleet'], { cwd: parent, encoding: 'utf-8' });
    expect(taken.status).toBe(2);
    expect(taken.stderr).toMatch(/my-fleet exists and is not empty/);
    expect(readdirSync(parent)).toEqual(['my-fleet']);
  });
});
