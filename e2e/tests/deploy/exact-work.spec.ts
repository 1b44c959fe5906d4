// Exact work on a profile change (issue 16): every host is evaluated once in a shared
// evaluation, only the hosts whose system changed are built and copied, and deploy reports
// the others unchanged. Real nx, nix, ssh and sshd in network namespaces.
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployResult, deploymentFor, readLink, startDeployFleet, switchScriptConfig, type DeployFleet } from '../../support/deploy-fixtures';
import { writeFixtureFleet, type FixtureHost } from '../../support/fixture-fleet';
import { createNixCounter, evaluatedHosts } from '../../support/nix-counter';

describe('a profile change builds and deploys only the systems it changes', () => {
  let fleet: DeployFleet;
  const counter = createNixCounter();
  // Web hosts are not a prefix of the sorted order: xw2 and xw5 of five.
  const isWeb = (i: number) => i === 1 || i === 4;
  const write = (nginx: string) => {
    const hosts: FixtureHost[] = fleet.net.hosts.map((h, i) => ({
      name: h.name,
      roles: isWeb(i) ? ['web'] : [],
      hostJson: deploymentFor(fleet.net, h),
      extraConfig: switchScriptConfig(),
    }));
    writeFixtureFleet(fleet.ws.root, hosts, undefined, { rolePackages: { web: [{ name: 'nginx', version: nginx, size: 4096 }] }, evalCost: 500 });
    fleet.ws.commit(`nginx ${nginx}`);
  };
  const names = () => fleet.net.hosts.map((h) => h.name);
  const webNames = () => names().filter((_, i) => isWeb(i));
  // The build batch builds every changed derivation in one `nix build`, then links each host's
  // GC root with a `nix build <out> --out-link` of a path already built; only the former builds.
  const drvsBuilt = (builds: string[]) => builds.flatMap((c) => c.split(' ').filter((w) => w.endsWith('.drv')));
  const gcRoots = (builds: string[]) => builds.filter((c) => !c.includes('.drv')).map((c) => c.split(' ').slice(2).join(' '));
  const toplevel = (host: string) => JSON.parse(readFileSync(join(fleet.ws.root, 'dist/hosts', host, 'toplevel.json'), 'utf-8'));

  beforeAll(async () => {
    fleet = await startDeployFleet(5, 'xw', 'nix-fleet-exact-');
    write('1.0');
  });
  afterAll(async () => fleet?.teardown());

  it('a cold deploy evaluates each host once, in at most one Nix process per core, and builds by drvPath', async () => {
    counter.reset();
    const r = fleet.ws.nx(['run-many', '-t', 'deploy', '--parallel=5'], { env: counter.env });
    expect(r.stdout).toMatch(/Deploy \(5 hosts\): 5 deployed/);
    const calls = counter.calls();
    expect(evaluatedHosts(calls).sort()).toEqual([...names()].sort());
    expect(calls.filter((c) => c.startsWith('eval ')).length).toBeLessThanOrEqual(Math.min(cpus().length, 5));
    const builds = calls.filter((c) => c.startsWith('build '));
    expect(drvsBuilt(builds).sort()).toEqual(names().map((h) => toplevel(h).drvPath).sort());
    for (const b of builds.filter((c) => c.includes('.drv'))) expect(b).toMatch(/^build \/nix\/store\/\S+\.drv/);
    for (const root of gcRoots(builds)) expect(names().map((h) => `--out-link dist/hosts/${h}/system`)).toContain(root);
    expect(r.stdout).toContain('nix-fleet: 5 hosts affected, 5 systems changed, 0 as before; 5 evaluated');
  });

  it('a warm build spawns no nix build or eval', () => {
    counter.reset();
    const r = fleet.ws.nx(['run-many', '-t', 'build', 'closure-size'], { env: counter.env });
    counter.reset();
    const warm = fleet.ws.nx(['run-many', '-t', 'build', 'closure-size'], { env: counter.env });
    expect(counter.count('build', 'eval', 'path-info', 'copy')).toBe(0);
    expect(warm.stdout).toContain('nix-fleet: 5 hosts affected, 0 systems changed, 5 as before; 0 evaluated');
    expect(r.status).toBe(0);
  });

  it('a web profile change: all 5 evaluated once, the 2 web hosts built, measured, copied and deployed, 3 unchanged', async () => {
    const before = Object.fromEntries(names().map((h) => [h, toplevel(h).drvPath]));
    write('1.1');
    counter.reset();
    const r = fleet.ws.nx(['affected', '-t', 'deploy', 'closure-size', '--base=HEAD~1', '--head=HEAD', '--parallel=5'], { env: counter.env });
    const calls = counter.calls();
    expect(evaluatedHosts(calls).sort()).toEqual([...names()].sort());
    const builds = calls.filter((c) => c.startsWith('build '));
    expect(drvsBuilt(builds).sort()).toEqual(webNames().map((h) => toplevel(h).drvPath).sort());
    for (const h of names()) expect(toplevel(h).drvPath === before[h]).toBe(!webNames().includes(h));
    // closure-size (and deploy) look only at the changed systems; the others' are cache hits.
    const unchangedOut = names().filter((h) => !webNames().includes(h)).map((h) => toplevel(h).outPath);
    const pathInfo = calls.filter((c) => c.startsWith('path-info '));
    expect(pathInfo.length).toBeGreaterThanOrEqual(2);
    for (const c of pathInfo) for (const out of unchangedOut) expect(c).not.toContain(out);
    expect(calls.filter((c) => c.startsWith('copy '))).toHaveLength(2);
    expect(r.stdout).toContain('nix-fleet: 5 hosts affected, 2 systems changed, 3 as before; 5 evaluated');
    expect(r.stdout).toMatch(/Deploy \(5 hosts\): 2 deployed, 3 unchanged, 0 rolled back, 0 failed/);
    for (const [i, h] of fleet.net.hosts.entries()) {
      expect(deployResult(fleet.ws.root, h.name)).toMatchObject({ status: isWeb(i) ? 'deployed' : 'unchanged', copied: isWeb(i) });
      expect(await readLink(h, '/run/current-system')).toBe(toplevel(h.name).outPath);
    }
  });
});
