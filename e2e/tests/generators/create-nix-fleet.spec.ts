// npx create-nix-fleet from a local registry: the published packages make a working fleet,
// committed on the branch its nx.json names, with only what it uses; bad input fails fast and
// leaves nothing behind (issue 14), and a name Nx already knows is refused (issue 11, item 3).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brokenLinks, REPO_ONLY_MARKERS } from '../../../packages/nix-fleet-plugin/testing/doc-links';
import { pathsNamedIn } from '../../../packages/nix-fleet-plugin/testing/doc-paths';
import { publishBuilt, startLocalRegistry, type LocalRegistry } from '../../../tools/local-registry/registry';
import { nixFiles, unparsable } from '../../support/nix-parse';
import { nxEnv, REPO_ROOT } from '../../support/workspace';

/** Every file of the fleet the user owns (not node_modules, .git or .nx), relative to root. */
function ownFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (['node_modules', '.git', '.nx'].includes(entry)) return [];
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? ownFiles(root, path) : [relative(root, path)];
  });
}

describe('npx create-nix-fleet', () => {
  let registry: LocalRegistry | undefined;
  let parent: string;
  const root = () => join(parent, 'my-fleet');
  const version = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/nix-fleet-plugin/package.json'), 'utf-8')).version;
  const create = (args: string[]) =>
    spawnSync('npx', ['--yes', `create-nix-fleet@${version}`, ...args], { cwd: parent, env: nxEnv(registry!.env), encoding: 'utf-8' });
  const nx = (args: string[], allowFailure = false) => {
    const nxPkg = JSON.parse(readFileSync(join(root(), 'node_modules/nx/package.json'), 'utf-8'));
    const nxJs = join(root(), 'node_modules/nx', typeof nxPkg.bin === 'string' ? nxPkg.bin : nxPkg.bin.nx);
    const r = spawnSync(process.execPath, [nxJs, ...args], { cwd: root(), env: nxEnv(), encoding: 'utf-8' });
    if (r.status !== 0 && !allowFailure) throw new Error(`nx ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  // The built CLI as npm publishes it, for runs that must not go through npx.
  const cli = join(REPO_ROOT, 'dist/packages/create-nix-fleet/create-nix-fleet/bin/create-nix-fleet.js');
  const git = (args: string[]) => execFileSync('git', args, { cwd: root(), encoding: 'utf-8' });

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
    const created = create(['my-fleet', '--hosts=ares:laptop,web1:server']);
    expect(`${created.status}\n${created.stderr}`).toMatch(/^0\n/);
    const pkg = JSON.parse(readFileSync(join(root(), 'package.json'), 'utf-8'));
    expect(pkg).toMatchObject({ name: 'my-fleet', private: true });
    expect(pkg.devDependencies).toEqual({ nx: expect.stringMatching(/^\d+\.\d+\.\d+$/), '@nix-fleet/nx': version });
    // Installed from the registry, not linked to this repository.
    expect(lstatSync(join(root(), 'node_modules/@nix-fleet/nx')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(root(), 'flake.nix'), 'utf-8')).toBe(readFileSync(join(REPO_ROOT, 'flake.nix'), 'utf-8'));
    expect(readFileSync(join(root(), 'packages/profiles/default.nix'), 'utf-8')).toBe(
      readFileSync(join(REPO_ROOT, 'packages/profiles/default.nix'), 'utf-8'),
    );
    const tracked = git(['ls-files']);
    expect(tracked.split('\n')).toEqual(expect.arrayContaining(['flake.nix', 'hosts/ares/host.json', 'hosts/ares/home.nix', 'nx.json', '.gitignore', 'package-lock.json', '.github/workflows/nix-fleet.yml']));
    expect(tracked).not.toContain('node_modules/');
    // The closing message lists the next steps.
    expect(created.stdout).toMatch(/Next steps:[\s\S]*nixos-generate-config[\s\S]*nix flake lock[\s\S]*git add -A && git commit/);

    expect(JSON.parse(nx(['show', 'projects', '--json']).stdout)).toEqual(expect.arrayContaining(['ares', 'web1', 'profiles']));
    expect(unparsable(root(), nixFiles(root()))).toEqual([]);
  });

  it('is committed on the branch nx.json names, so nx affected works at once', () => {
    const { defaultBase } = JSON.parse(readFileSync(join(root(), 'nx.json'), 'utf-8'));
    expect(defaultBase).toBe('main');
    expect(git(['rev-parse', '--abbrev-ref', 'HEAD']).trim()).toBe(defaultBase);
    expect(git(['rev-list', '--count', defaultBase]).trim()).toBe('1');
    expect(git(['status', '--porcelain'])).toBe('');
    expect(JSON.parse(nx(['show', 'projects', '--affected', '--json']).stdout)).toEqual([]);
  });

  it('holds only what it uses: no apps/ or libs/, no HTML escapes, docs that name only its own paths', () => {
    const files = ownFiles(root());
    expect(existsSync(join(root(), 'apps'))).toBe(false);
    expect(existsSync(join(root(), 'libs'))).toBe(false);
    expect(files.filter((f) => readFileSync(join(root(), f), 'utf-8').includes('&#34;'))).toEqual([]);
    const docs = files.filter((f) => f.endsWith('.md'));
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'docs/Profile-System.md', 'docs/reference/host-json.md']));
    const missing = docs.flatMap((doc) =>
      pathsNamedIn(readFileSync(join(root(), doc), 'utf-8'), doc)
        .filter((p) => !existsSync(join(root(), p)))
        .map((p) => `${doc}: ${p}`),
    );
    expect(missing).toEqual([]);
    const repoOnly = docs.flatMap((doc) => {
      const text = readFileSync(join(root(), doc), 'utf-8');
      return REPO_ONLY_MARKERS.filter((s) => text.includes(s)).map((s) => `${doc}: ${s}`);
    });
    expect(repoOnly).toEqual([]);
    expect(brokenLinks(new Map(files.map((f) => [f, f.endsWith('.md') ? readFileSync(join(root(), f), 'utf-8') : ''])))).toEqual([]);
  });

  it('refuses a host named like the profile library with the exact reason, and writes nothing (issue 11, item 3)', () => {
    const r = nx(['g', 'host', 'profiles', '--type=vm'], true);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      'Invalid name: the host name "profiles" is reserved: it is the Nx project of the profile library (packages/profiles). ' +
        'Pick another name, e.g. "profiles-1".',
    );
    expect(git(['status', '--porcelain', '--untracked-files=all'])).toBe('');
    // Every later nx command still works.
    expect(JSON.parse(nx(['show', 'projects', '--json']).stdout)).toEqual(expect.arrayContaining(['ares', 'web1', 'profiles']));
  });

  it('refuses a bad --hosts in under 5 s, before npm install, and leaves no folder', () => {
    const started = Date.now();
    const r = create(['x', '--hosts=a:toaster']);
    const seconds = (Date.now() - started) / 1000;
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Invalid --hosts entry "a:toaster": unknown type "toaster"; use one of laptop, desktop, server, vm');
    expect(seconds).toBeLessThan(5);
    expect(readdirSync(parent)).toEqual(['my-fleet']);
  });

  it('removes the half-made folder when a later step fails, so the retry is not blocked', () => {
    // npm install fails: the registry is a closed port and npm does not retry.
    const env = nxEnv({ ...registry!.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_fetch_retries: '0' });
    const r = spawnSync(process.execPath, [cli, 'broken-fleet'], { cwd: parent, env, encoding: 'utf-8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^create-nix-fleet: "npm install --no-audit --no-fund" failed with exit code \d+; see its output above\. Removed \S+broken-fleet; fix the cause and run it again\.$/m);
    expect(readdirSync(parent)).toEqual(['my-fleet']);
  });

  it('refuses a bad name or a non-empty folder before creating anything', () => {
    const bad = spawnSync(process.execPath, [cli, 'My Fleet'], { cwd: parent, encoding: 'utf-8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('Invalid name "My Fleet"');
    const taken = spawnSync(process.execPath, [cli, 'my-fleet'], { cwd: parent, encoding: 'utf-8' });
    expect(taken.status).toBe(2);
    expect(taken.stderr).toMatch(/my-fleet exists and is not empty/);
    expect(readdirSync(parent)).toEqual(['my-fleet']);
  });
});
