// Builds that scale out on Nix's own engines: a binary cache, a build host and remote builders,
// with per-host progress. Real nx, real nix, real sshd in network namespaces.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import { writeFixtureFleet } from '../../support/fixture-fleet';
import { createNixCounter, evaluatedHosts } from '../../support/nix-counter';
import { startTestHosts, type TestNetwork } from '../../support/test-hosts';
import { createWorkspace, type Workspace } from '../../support/workspace';

const nix = (args: string[]) => execFileSync('nix', args, { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
const record = (ws: Workspace, host: string) => JSON.parse(readFileSync(join(ws.root, 'dist/hosts', host, 'build.json'), 'utf-8'));
const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;
// Unique per run, so the store paths are new and must really be built where we say.
const nonce = `${process.pid}${Date.now().toString(36)}`;

describe('builds that scale out', () => {
  let ws: Workspace;
  const temp: string[] = [];
  const tempDir = (name: string) => {
    const dir = `/tmp/nix-fleet-${name}-${nonce}`;
    temp.push(dir);
    return dir;
  };

  beforeAll(() => {
    ws = createWorkspace(`nix-fleet-scale-${process.pid}-`);
    writeFixtureFleet(ws.root, [
      { name: 'cached', packages: [{ name: `cached-app-${nonce}`, version: '1.0', size: 70000 }] },
      { name: 'signed', packages: [{ name: `signed-app-${nonce}`, version: '1.0', size: 30000 }] },
      { name: 'remote', packages: [{ name: `remote-app-${nonce}`, version: '2.1', size: 50000 }] },
      { name: 'farmed', packages: [{ name: `farmed-app-${nonce}`, version: '0.3', size: 40000 }] },
      // Sorted order, the order of --projects and Nix's printing order all differ.
      { name: 'workstation', packages: [{ name: `workstation-app-${nonce}`, version: '1.0', size: 1000 }] },
      { name: 'nas1', packages: [{ name: `nas1-app-${nonce}`, version: '1.0', size: 2000 }] },
      { name: 'web1', packages: [{ name: `web1-app-${nonce}`, version: '1.0', size: 3000 }] },
      { name: 'twin-a', packages: [{ name: `twin-app-${nonce}`, version: '1.0', size: 500 }] },
    ]);
    ws.commit('fixture fleet');
  });
  afterAll(() => {
    ws?.remove();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  it('pushes to cacheTo: a real binary cache that a fresh store substitutes from, with progress lines', () => {
    const cache = tempDir('cache');
    const run = ws.nx(['run', 'cached:build', `--cacheTo=file://${cache}`]);
    const { outPath } = record(ws, 'cached');
    const hash = basename(outPath).slice(0, 32);
    expect(readFileSync(join(cache, 'nix-cache-info'), 'utf-8')).toContain('StoreDir: /nix/store');
    expect(readFileSync(join(cache, `${hash}.narinfo`), 'utf-8')).toContain(`StorePath: ${outPath}`);
    expect(readdirSync(join(cache, 'nar')).length).toBeGreaterThanOrEqual(3);

    const fresh = tempDir('fresh');
    nix(['copy', '--from', `file://${cache}`, '--to', fresh, '--no-check-sigs', outPath]);
    expect(existsSync(join(fresh, outPath))).toBe(true);
    expect(readFileSync(join(fresh, outPath, 'hostname'), 'utf-8')).toBe('cached\n');

    const text = output(run);
    expect(text).toContain('cached: building');
    expect(text).toMatch(new RegExp(`cached: building cached-app-${nonce}-1\\.0 \\(\\d of \\d\\)`));
    expect(text).toMatch(/cached: built \d of \d derivations/);
    expect(text).toContain(`cached: copying to file://${cache}`);
  });

  it('signs with signingKey, so a store that trusts the key substitutes without --no-check-sigs', () => {
    const keys = tempDir('keys');
    execFileSync('mkdir', ['-p', keys]);
    const secret = nix(['key', 'generate-secret', '--key-name', `test-${nonce}`]);
    writeFileSync(join(keys, 'secret'), secret);
    const pub = execFileSync('nix', ['key', 'convert-secret-to-public'], { input: secret, encoding: 'utf-8' }).trim();
    const cache = tempDir('signed-cache');
    ws.nx(['run', 'signed:build', `--cacheTo=file://${cache}`, `--signingKey=${join(keys, 'secret')}`]);
    const { outPath } = record(ws, 'signed');
    expect(readFileSync(join(cache, `${basename(outPath).slice(0, 32)}.narinfo`), 'utf-8')).toContain(`Sig: test-${nonce}:`);
    const fresh = tempDir('fresh-signed');
    nix(['copy', '--from', `file://${cache}`, '--to', fresh, '--option', 'trusted-public-keys', pub, outPath]);
    expect(existsSync(join(fresh, outPath))).toBe(true);
  });

  it('refuses a bad cacheTo before building, naming the flag', () => {
    const run = ws.nx(['run', 'signed:build', '--cacheTo=not a store', '--skip-nx-cache'], { allowFailure: true });
    expect(run.status).not.toBe(0);
    expect(output(run)).toContain('--cacheTo is "not a store": expected a Nix store URL');
    expect(output(run)).not.toContain('> nix build');
  });

  it('--batch evaluates each host once, builds by drvPath and gives every host its own system', () => {
    const hosts = ['workstation', 'nas1', 'web1', 'twin-a'];
    const counter = createNixCounter();
    const run = ws.nx(['run-many', '-t', 'build', `--projects=${hosts.join(',')}`, '--batch'], { env: counter.env });
    const calls = counter.calls();
    // One evaluation shared by the batch, spread over at most one Nix process per core.
    expect(evaluatedHosts(calls).sort()).toEqual([...hosts].sort());
    expect(calls.filter((c) => c.startsWith('eval ')).length).toBeLessThanOrEqual(Math.min(cpus().length, hosts.length));
    // The one build names derivations only: nothing is evaluated twice.
    const builds = calls.filter((c) => c.startsWith('build ') && !c.includes('--out-link'));
    expect(builds).toHaveLength(1);
    expect(builds[0]).not.toContain('#');
    expect(builds[0].match(/\.drv/g)).toHaveLength(hosts.length);
    for (const host of hosts) {
      const r = record(ws, host);
      expect(r.host).toBe(host);
      expect(r.outPath).toMatch(new RegExp(`-nixos-system-${host}$`));
      expect(r.drvPath).toMatch(new RegExp(`-nixos-system-${host}\\.drv$`));
      expect(readlinkSync(join(ws.root, 'dist/hosts', host, 'system'))).toBe(r.outPath);
      expect(readFileSync(join(r.outPath, 'hostname'), 'utf-8')).toBe(`${host}\n`);
      expect(nix(['eval', '--raw', `${ws.root}#nixosConfigurations.${host}.config.system.build.toplevel.drvPath`])).toBe(r.drvPath);
    }
    expect(output(run)).toMatch(/batch of 4: building \S+-app-\w+-1\.0 \(\d of \d\)/);
  });

  it('a consumer refuses a build.json that names another host or /etc, before measuring anything', () => {
    const file = join(ws.root, 'dist/hosts/web1/build.json');
    const own = record(ws, 'web1');
    const other = record(ws, 'workstation');
    for (const [label, tampered] of [
      ['another host', { ...own, outPath: other.outPath, drvPath: other.drvPath }],
      ['/etc', { ...own, outPath: '/etc' }],
    ] as const) {
      writeFileSync(file, JSON.stringify(tampered));
      const counter = createNixCounter();
      const run = ws.nx(['run', 'web1:closure-size', '--excludeTaskDependencies', '--skip-nx-cache'], { env: counter.env, allowFailure: true });
      expect(run.status).not.toBe(0);
      expect(counter.count('path-info')).toBe(0);
      if (label === '/etc') {
        expect(output(run)).toContain('dist/hosts/web1/build.json is not a record of host "web1"');
      } else {
        expect(output(run)).toContain(`The build record dist/hosts/web1/build.json names ${other.outPath} (${other.drvPath}), but the flake evaluates host "web1" to ${own.outPath}`);
        expect(output(run)).toContain('Rebuild with "nx run web1:build --skip-nx-cache"');
      }
    }
    writeFileSync(file, JSON.stringify(own));
  });

  it('a build refuses an evaluation record from the cache that is not what this machine evaluates, building nothing', () => {
    ws.nx(['run', 'web1:build']);
    const own = JSON.parse(readFileSync(join(ws.root, 'dist/hosts/web1/toplevel.json'), 'utf-8'));
    const other = record(ws, 'workstation');
    // As a poisoned shared cache would serve it: the eval's cached output names another system.
    const cached = readdirSync(join(ws.root, '.nx/cache'))
      .map((entry) => join(ws.root, '.nx/cache', entry, 'dist/hosts/web1/toplevel.json'))
      .filter((file) => existsSync(file));
    expect(cached.length).toBeGreaterThan(0);
    for (const file of cached) writeFileSync(file, JSON.stringify({ ...own, drvPath: other.drvPath, outPath: other.outPath }, null, 2) + '\n');
    rmSync(join(ws.root, 'dist/hosts/web1/toplevel.json'));
    const counter = createNixCounter();
    const run = ws.nx(['run', 'web1:build'], { env: counter.env, allowFailure: true });
    expect(run.status).not.toBe(0);
    expect(output(run)).toContain(`The evaluation record dist/hosts/web1/toplevel.json names ${other.outPath} (${other.drvPath}), but the flake evaluates host "web1" to ${own.outPath}`);
    expect(output(run)).toContain('nothing was built');
    expect(counter.count('build')).toBe(0);
    for (const file of cached) rmSync(file);
    rmSync(join(ws.root, 'dist/hosts/web1/toplevel.json'), { force: true });
    ws.nx(['run', 'web1:build', '--skip-nx-cache']);
  });

  it('a warm consumer proves the record without evaluating again: the eval task\'s hash keys what this machine evaluated', () => {
    const counter = createNixCounter();
    const run = ws.nx(['run', 'web1:closure-size'], { env: counter.env });
    expect(output(run)).toContain('read the output from the cache');
    expect(counter.count('eval', 'build')).toBe(0);
    expect(counter.count('path-info')).toBe(1);
  });

  describe('on test hosts in network namespaces', () => {
    let net: TestNetwork;
    beforeAll(async () => {
      net = await startTestHosts(1, { namePrefix: `b${process.pid % 1000}h` });
    });
    afterAll(async () => net?.teardown());

    it('buildHost: the build runs on the test host and the result is in its store, not ours', async () => {
      const [host] = net.hosts;
      const run = ws.nx(['run', 'remote:build', `--buildHost=${host.name}`], { env: net.env });
      const { outPath } = record(ws, 'remote');
      expect(existsSync(outPath)).toBe(false);
      expect(existsSync(join(host.storeDir, 'store', basename(outPath)))).toBe(true);
      expect((await host.exec(['nix', 'path-info', outPath])).trim()).toBe(outPath);
      expect(output(run)).toContain(`remote: building on ${host.name}`);
      expect(output(run)).toMatch(new RegExp(`remote: building remote-app-${nonce}-2\\.1`));
    });

    it('builders: with no local build slots, derivations build on the remote builder and come back', () => {
      const [host] = net.hosts;
      const run = ws.nx(['run', 'farmed:build', `--builders=ssh-ng://${host.name} x86_64-linux`, '--extraArgs=-j0'], {
        env: net.env,
      });
      const { outPath } = record(ws, 'farmed');
      expect(existsSync(outPath)).toBe(true);
      expect(existsSync(join(host.storeDir, 'store', basename(outPath)))).toBe(true);
      expect(output(run)).toMatch(new RegExp(`farmed: building farmed-app-${nonce}-0\\.3 on ssh-ng://${host.name}`));
    });
  });
});
