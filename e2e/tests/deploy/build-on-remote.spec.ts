// deployment.buildOn "remote" on a real test host: the build target only records the
// derivation, the deploy copies the .drv files to the host and builds there, and this machine's
// store never holds the built system. Real nx, nix, ssh and sshd.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, exists, readLink, startDeployFleet, switchScriptConfig, SYSTEM_PROFILE, type DeployFleet } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import type { TestNetwork } from '../../support/test-hosts';
import type { Workspace } from '../../support/workspace';

/** Whether this machine's store has the path (valid, not only a file name). */
function validHere(path: string): boolean {
  return spawnSync('nix-store', ['--check-validity', path], { stdio: 'ignore' }).status === 0;
}

describe('deployment.buildOn remote', () => {
  let fleet: DeployFleet | undefined;
  let net: TestNetwork;
  let ws: Workspace;
  // A name no other run built: nothing of this system can be in the local store already.
  const app = `rb-app-${process.pid}-${Date.now().toString(36)}`;
  const host = (version: string): FixtureHost => ({
    name: 'rb1',
    packages: [{ name: app, version, size: 8192 }],
    hostJson: { deployment: { targetHost: net.hosts[0].name, buildOn: 'remote' } },
    extraConfig: switchScriptConfig(),
  });
  const record = () => JSON.parse(readFileSync(join(ws.root, 'dist/hosts/rb1/build.json'), 'utf-8'));

  beforeAll(async () => {
    fleet = await startDeployFleet(1, 'rbh', 'nix-fleet-remote-build-');
    ({ net, ws } = fleet);
    writeFixtureFleet(ws.root, [host('1.0')]);
    ws.commit('fleet');
  });

  afterAll(async () => fleet?.teardown());

  it('build records the derivation and builds nothing here', () => {
    const r = ws.nx(['run', 'rb1:build']);
    expect(r.stdout).toContain('rb1: builds on its target at deploy time (deployment.buildOn: remote); nothing built here.');
    const { drvPath, outPath, buildOn } = record();
    expect(buildOn).toBe('remote');
    expect(validHere(drvPath)).toBe(true);
    expect(validHere(outPath)).toBe(false);
  });

  it('deploy copies the .drv files to the host and builds there; nothing comes back', async () => {
    const h = net.hosts[0];
    const r = ws.nx(['run', 'rb1:deploy']);
    const { drvPath, outPath } = record();
    expect(r.stdout).toContain(`rb1: copying the derivation ${drvPath} (deployment.buildOn: remote)`);
    expect(r.stdout).toContain(`rb1: building ${drvPath} on ${h.name}`);
    expect(await exists(h, drvPath)).toBe(true);
    // The host built it itself: its store records the derivation that made the system.
    expect((await h.exec(['nix-store', '--query', '--deriver', outPath])).trim()).toBe(drvPath);
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(outPath);
    expect(await activations(h)).toEqual([`switch ${outPath}`]);
    expect(validHere(outPath)).toBe(false);
    const appPath = (await h.exec(['sh', '-c', `ls -d /nix/store/*-${app}-1.0`])).trim();
    expect(validHere(appPath)).toBe(false);
    expect(execFileSync('sh', ['-c', `ls -d /nix/store/*-${app}-1.0 2>/dev/null || true`], { encoding: 'utf-8' }).trim()).toBe('');
  });

  it('closure-size reads the closure on the host that built it, and says so', async () => {
    const h = net.hosts[0];
    const r = ws.nx(['run', 'rb1:closure-size']);
    const { outPath } = record();
    expect(r.stdout).toContain(`Closure of rb1: ${outPath}`);
    expect(r.stdout).toContain(`measured on  ${h.name}, where it was built (deployment.buildOn: remote)`);
    expect(r.stdout).toContain(`${app}-1.0`);
    expect(validHere(outPath)).toBe(false);
  });

  it('plan says where its numbers come from: the derivations to copy, packages after the build there', async () => {
    writeFixtureHost(ws.root, host('2.0'));
    ws.commit('2.0');
    const r = ws.nx(['run', 'rb1:deploy', '--mode=plan']);
    const { outPath } = record();
    expect(r.stdout).toContain(`to ${outPath}, built on the host itself (deployment.buildOn: remote)`);
    expect(r.stdout).toMatch(/to copy {3}\d+ derivation paths?, .* \(nix copy --derivation; the host builds or fetches the rest\)/);
    expect(validHere(outPath)).toBe(false);
  });

  it('closure-size of a system not built on the host yet says to deploy first, and builds nothing here', () => {
    const r = ws.nx(['run', 'rb1:closure-size'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/rb1 is built on its target \(deployment\.buildOn: remote\), and \S+ does not hold \S+ yet: there is no closure to measure\. Deploy it first \(nx run rb1:deploy\)/);
    expect(validHere(record().outPath)).toBe(false);
  });
});
