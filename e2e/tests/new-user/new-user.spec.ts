// A new user's path, end to end, with nothing but a local registry: npx create-nix-fleet, the
// generators, then a fixture fleet that npm-installs the published plugin and builds, sizes and
// deploys to test hosts in network namespaces. Real npm, nx, nix, ssh and sshd throughout.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishBuilt, startLocalRegistry, type LocalRegistry } from '../../../tools/local-registry/registry';
import { activations, builtOutPath, deployResult, deploymentFor, readLink, switchScriptConfig, SYSTEM_PROFILE, useNetworkSshConfig } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import { startTestHosts, type TestNetwork } from '../../support/test-hosts';
import { nixFiles, unparsable } from '../../support/nix-parse';
import { REPO_ROOT } from '../../support/workspace';
import { ageKeyPair, ageRoundTrip, commitAll, installedWorkspace, nxOf, resolvedUrls, type AgeKeyPair, type Nx } from './new-user-support';

const version = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/nix-fleet-plugin/package.json'), 'utf-8')).version;
const projectsOf = (nx: Nx, extra: string[] = []) => (JSON.parse(nx(['show', 'projects', '--json', ...extra]).stdout) as string[]).sort();

describe('a new user with only the local registry', () => {
  let registry: LocalRegistry | undefined;
  let parent: string;
  let fleet: string;
  let nx: Nx;
  let admin: AgeKeyPair;

  beforeAll(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'tools/build-packages.mjs')], { cwd: REPO_ROOT, stdio: 'pipe' });
    registry = await startLocalRegistry();
    expect(publishBuilt(registry)).toEqual([`@nix-fleet/nx@${version}`, `create-nix-fleet@${version}`]);
    parent = realpathSync(mkdtempSync(join(tmpdir(), `nix-fleet-new-user-${process.pid}-`)));
    fleet = join(parent, 'e2e-fleet');
    admin = ageKeyPair(join(parent, 'admin-keys.txt'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  it('npx create-nix-fleet makes a workspace: plugin registered, hosts and profiles are projects, Nix parses', () => {
    const created = spawnSync('npx', ['--yes', `create-nix-fleet@${version}`, 'e2e-fleet', '--hosts=ares:laptop,web1:server', `--admin-age-key=${admin.recipient}`], {
      cwd: parent,
      env: { ...registry!.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      encoding: 'utf-8',
    });
    expect(`${created.status}\n${created.stderr}`).toMatch(/^0\n/);
    // Everything npm fetched came through the local registry, and the plugin is a real install.
    const urls = resolvedUrls(fleet);
    expect(urls.length).toBeGreaterThan(10);
    expect(urls.filter((u) => !u.startsWith(`${registry!.url}/`))).toEqual([]);
    expect(lstatSync(join(fleet, 'node_modules/@nix-fleet/nx')).isSymbolicLink()).toBe(false);
    expect(JSON.parse(readFileSync(join(fleet, 'node_modules/@nix-fleet/nx/package.json'), 'utf-8')).version).toBe(version);

    const nxJson = JSON.parse(readFileSync(join(fleet, 'nx.json'), 'utf-8'));
    const plugins = (nxJson.plugins ?? []).map((p: string | { plugin: string }) => (typeof p === 'string' ? p : p.plugin));
    expect(plugins).toContain('@nix-fleet/nx');
    nx = nxOf(fleet);
    expect(projectsOf(nx)).toEqual(['ares', 'profiles', 'web1']);
    const files = nixFiles(fleet);
    expect(files).toEqual(expect.arrayContaining(['flake.nix', 'hosts/ares/configuration.nix']));
    expect(unparsable(fleet, files)).toEqual([]);
  });

  it('the generators add a desktop, a server role and a server using it, with graph edges and tags', () => {
    nx(['g', 'host', 'workstation', '--type=desktop']);
    // The profile library already has a storage role: the generator says so and writes nothing.
    const status = () => execFileSync('git', ['status', '--porcelain'], { cwd: fleet, encoding: 'utf-8' });
    const before = status();
    const taken = nx(['g', 'server-role', 'storage'], { allowFailure: true });
    expect(taken.status).not.toBe(0);
    expect(taken.stdout + taken.stderr).toContain('Role "storage" already exists at packages/profiles/server/roles/storage.nix');
    expect(status()).toBe(before);
    nx(['g', 'server-role', 'media']);
    expect(readFileSync(join(fleet, 'packages/profiles/server/roles/media.nix'), 'utf-8')).toContain('roles.media');
    nx(['g', 'host', 'nas', '--type=server', '--roles=storage,media']);
    expect(projectsOf(nx)).toEqual(['ares', 'nas', 'profiles', 'web1', 'workstation']);
    const tags = (name: string) => JSON.parse(nx(['show', 'project', name, '--json']).stdout).tags;
    expect(tags('workstation')).toEqual(expect.arrayContaining(['type:desktop']));
    expect(tags('nas')).toEqual(expect.arrayContaining(['type:server', 'role:storage', 'role:media']));
    expect(tags('ares')).toEqual(expect.arrayContaining(['type:laptop']));

    nx(['graph', '--file=graph.json']);
    const graph = JSON.parse(readFileSync(join(fleet, 'graph.json'), 'utf-8')).graph;
    for (const host of ['ares', 'web1', 'workstation', 'nas']) {
      expect(graph.dependencies[host].map((d: { target: string }) => d.target)).toContain('profiles');
    }
    expect(graph.nodes.nas.data.targets).toHaveProperty('deploy');
    expect(unparsable(fleet, nixFiles(fleet))).toEqual([]);
  });

  // sops itself is not in Debian, so nothing here runs it: the rule is read as text and each key is
  // proven a working age recipient with Debian's age, which sops uses for these keys.
  it('nx g host --age-key adds the host to a creation rule that also names the admin; both keys encrypt and decrypt', () => {
    const s3 = ageKeyPair(join(parent, 's3-keys.txt'));
    nx(['g', 'host', 's3', '--type=server', `--age-key=${s3.recipient}`]);
    const text = readFileSync(join(fleet, '.sops.yaml'), 'utf-8');
    const rules = text.split('\n').filter((l) => /^\s+- path_regex: secrets\/s3/.test(l));
    expect(rules).toEqual(['  - path_regex: secrets/s3\\.yaml$']);
    expect(text).toContain('  - path_regex: secrets/s3\\.yaml$\n    key_groups:\n      - age:\n          - *admin\n          - *s3\n');
    const anchors = Object.fromEntries([...text.matchAll(/^\s+- &(\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(anchors).toEqual({ admin: admin.recipient, s3: s3.recipient });
    for (const pair of [admin, s3]) expect(ageRoundTrip(pair, join(parent, 'plain.txt'))).toBe('db-password: hunter2\n');
    // A typo is refused by name, and nothing changes.
    const typo = nx(['g', 'host', 's4', '--type=server', `--age-key=${s3.recipient.slice(0, -1)}x`], { allowFailure: true });
    expect(typo.status).not.toBe(0);
    expect(typo.stdout + typo.stderr).toContain('Invalid --age-key');
    expect(readFileSync(join(fleet, '.sops.yaml'), 'utf-8')).toBe(text);
    // So is an empty one (the ssh-keyscan in $(...) failed), and the host's key given to another host.
    for (const [key, message] of [['', '--age-key is empty'], [s3.recipient, `is already host "s3"'s key`]]) {
      const refused = nx(['g', 'host', 's4', '--type=server', `--age-key=${key}`], { allowFailure: true });
      expect(refused.status).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain(message);
      expect(existsSync(join(fleet, 'hosts/s4'))).toBe(false);
    }
    expect(readFileSync(join(fleet, '.sops.yaml'), 'utf-8')).toBe(text);
  });

  describe('a fixture fleet with the published plugin, on three test hosts', () => {
    let net: TestNetwork;
    let ws: string;
    let wsNx: Nx;
    let restoreSsh: (() => void) | undefined;
    const host = (i: number, appVersion: string): FixtureHost => ({
      name: net.hosts[i].name,
      packages: [{ name: `${net.hosts[i].name}-app`, version: appVersion, size: 65536 }],
      hostJson: deploymentFor(net, net.hosts[i]),
      extraConfig: switchScriptConfig(),
    });

    beforeAll(async () => {
      net = await startTestHosts(3, { namePrefix: 'edge' });
      restoreSsh = useNetworkSshConfig(net);
      ws = join(parent, 'fixture-fleet');
      const fleetPkg = JSON.parse(readFileSync(join(fleet, 'package.json'), 'utf-8'));
      installedWorkspace(ws, { nx: fleetPkg.devDependencies.nx, plugin: version }, registry!.env);
      wsNx = nxOf(ws);
      writeFixtureFleet(ws, [0, 1, 2].map((i) => host(i, '1.0')));
      commitAll(ws, 'three hosts');
    });
    afterAll(async () => {
      restoreSsh?.();
      await net?.teardown();
    });

    it('installs the plugin from the registry, and nx affected -t build builds the new hosts, then only the changed one', () => {
      expect(resolvedUrls(ws).filter((u) => !u.startsWith(`${registry!.url}/`))).toEqual([]);
      expect(lstatSync(join(ws, 'node_modules/@nix-fleet/nx')).isSymbolicLink()).toBe(false);
      const names = net.hosts.map((h) => h.name);
      expect(projectsOf(wsNx, ['--affected', '--base=HEAD~1'])).toEqual([...names, 'profiles'].sort());
      wsNx(['affected', '-t', 'build', '--base=HEAD~1']);
      for (const name of names) expect(statSync(builtOutPath(ws, name)).isDirectory()).toBe(true);

      const before = Object.fromEntries(names.map((n) => [n, { out: builtOutPath(ws, n) }]));
      writeFixtureHost(ws, host(1, '2.0'));
      commitAll(ws, 'edge2 app 2.0');
      // The fleet's flake hands the library ./hosts, so every host's folder is every host's eval
      // input: all three are affected and evaluated again, and only edge2's system is built.
      expect(projectsOf(wsNx, ['--affected', '--base=HEAD~1'])).toEqual(names.slice().sort());
      const r = wsNx(['affected', '-t', 'build', '--base=HEAD~1']);
      expect(r.stdout).toMatch(/edge2:build/);
      expect(r.stdout).toMatch(/1 system changed, 2 as before/);
      expect(builtOutPath(ws, 'edge2')).not.toBe(before.edge2.out);
      expect(builtOutPath(ws, 'edge2')).toMatch(/-nixos-system-edge2$/);
      // edge1 and edge3 were evaluated again (same derivations), so their builds are Nx cache hits
      // (Nx may restore build.json, so its mtime can move): same system, nothing built.
      for (const n of ['edge1', 'edge3']) {
        expect(builtOutPath(ws, n)).toBe(before[n].out);
        expect(r.stdout).toMatch(new RegExp(`nx run ${n}:build\\s+\\[(local cache|existing outputs match the cache, left as is)\\]`));
      }
    });

    it('nx run-many -t closure-size reports what Nix reports, in one fleet table', () => {
      const r = wsNx(['run-many', '-t', 'closure-size']);
      for (const h of net.hosts) {
        const report = JSON.parse(readFileSync(join(ws, 'dist/hosts', h.name, 'closure.json'), 'utf-8'));
        const [info] = JSON.parse(execFileSync('nix', ['path-info', '--closure-size', '--json', builtOutPath(ws, h.name)], { encoding: 'utf-8' }));
        expect(report.closureSize).toBe(info.closureSize);
      }
      expect(r.stdout).toMatch(/Closure sizes[\s\S]*edge1[\s\S]*edge2[\s\S]*edge3/);
    });

    it('nx run-many -t deploy puts each built system on its host and activates it once', async () => {
      const r = wsNx(['run-many', '-t', 'deploy']);
      expect(r.stdout).toMatch(/Deploy \(3 hosts\): 3 deployed/);
      for (const h of net.hosts) {
        const out = builtOutPath(ws, h.name);
        expect(await readLink(h, SYSTEM_PROFILE)).toBe(out);
        expect(await readLink(h, '/run/current-system')).toBe(out);
        expect(await activations(h)).toEqual([`switch ${out}`]);
        expect((await h.exec(['cat', `${out}/hostname`])).trim()).toBe(h.name);
        expect(deployResult(ws, h.name)).toMatchObject({ status: 'deployed', copied: true });
      }
    });
  });
});
