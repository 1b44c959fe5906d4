// Deploy waves on namespace test hosts, through Nx's own task graph: wave 1 starts only after
// wave 0 deployed, a run of a wave-1 host alone leaves the canary alone, and a failed canary
// keeps every wave-1 host from starting, with the reason in the summary. Real nx, nix, sshd.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, builtOutPath, deployResult, deploymentFor, readLink, switchScriptConfig, type SwitchBehaviour, useNetworkSshConfig } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import { startTestHosts, type TestNetwork } from '../../support/test-hosts';
import { createWorkspace, type Workspace } from '../../support/workspace';

describe('deploy waves on test hosts', () => {
  let net: TestNetwork;
  let restoreSsh: (() => void) | undefined;
  let ws: Workspace;
  // wv1 is the canary (wave 0); wv2 and wv3 are wave 1.
  const WAVES = [0, 1, 1];

  const fixtureHost = (i: number, version: string, behaviour: SwitchBehaviour = {}): FixtureHost => {
    const h = net.hosts[i];
    return {
      name: h.name,
      packages: [{ name: `${h.name}-app`, version, size: 4096 }],
      hostJson: deploymentFor(net, h, { wave: WAVES[i] }),
      extraConfig: switchScriptConfig(behaviour),
    };
  };
  const summary = () => JSON.parse(readFileSync(join(ws.root, 'dist/deploy/summary.json'), 'utf-8'));

  beforeAll(async () => {
    net = await startTestHosts(3, { namePrefix: 'wv' });
    restoreSsh = useNetworkSshConfig(net);
    ws = createWorkspace('nix-fleet-waves-');
    writeFixtureFleet(ws.root, [0, 1, 2].map((i) => fixtureHost(i, '1.0')));
    ws.commit('fleet v1');
  });

  afterAll(async () => {
    restoreSsh?.();
    await net?.teardown();
    ws?.remove();
  });

  it('deploys wave 1 only after the canary finished, with --parallel=3', () => {
    const r = ws.nx(['run-many', '-t', 'deploy', '--parallel=3']);
    const canary = deployResult(ws.root, 'wv1');
    for (const host of ['wv2', 'wv3']) {
      const later = deployResult(ws.root, host);
      expect(later.status).toBe('deployed');
      expect(later.finishedAt - later.durationMs).toBeGreaterThanOrEqual(canary.finishedAt);
    }
    expect(canary.status).toBe('deployed');
    expect(r.stdout).toContain('Deploy (3 hosts): 3 deployed');
  });

  it('a run of a wave-1 host alone does not deploy the canary', async () => {
    const canary = net.hosts[0];
    const before = { current: await readLink(canary, '/run/current-system'), log: await activations(canary) };
    writeFixtureHost(ws.root, fixtureHost(0, '2.0'));
    writeFixtureHost(ws.root, fixtureHost(1, '2.0'));
    ws.commit('v2 for wv1 and wv2');
    const r = ws.nx(['run', 'wv2:deploy', '--output-style=static']);
    const out = r.stdout + r.stderr;
    // Nx puts wv1:deploy into the run (dependsOn pulls it in); it sees it was not selected.
    expect(out).toContain('wv1: not selected in this run; its deploy task is here only to keep wv2 in a later wave. Nothing done.');
    expect(await readLink(canary, '/run/current-system')).toBe(before.current);
    expect(await activations(canary)).toEqual(before.log);
    expect(await readLink(net.hosts[1], '/run/current-system')).toBe(builtOutPath(ws.root, 'wv2'));
    expect(summary().hosts.map((h: { host: string }) => h.host)).toEqual(['wv2']);
    // The summary counts package changes of a deployed host as a plan does: wv2-app 1.0 -> 2.0.
    expect(deployResult(ws.root, 'wv2').packages).toEqual({ upgraded: 1, downgraded: 0, changed: 0, added: 0, removed: 0 });
    expect(out).toMatch(/wv2\s+deployed\s+switch\s+yes\s+↑1 ↓0 ~0 \+0 -0/);
  });

  it('a failing canary keeps every wave-1 host from starting, and the summary says why', async () => {
    const wave1 = [net.hosts[1], net.hosts[2]];
    const before = await Promise.all(wave1.map(async (h) => ({ current: await readLink(h, '/run/current-system'), log: await activations(h) })));
    writeFixtureHost(ws.root, fixtureHost(0, '3.0', { fail: 'fixture: the canary does not boot' }));
    writeFixtureHost(ws.root, fixtureHost(1, '3.0'));
    writeFixtureHost(ws.root, fixtureHost(2, '3.0'));
    ws.commit('v3: a broken canary');
    const r = ws.nx(['run-many', '-t', 'deploy', '--parallel=3'], { allowFailure: true });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(deployResult(ws.root, 'wv1')).toMatchObject({ status: 'rolled-back', step: 'activation' });
    expect(out).toContain('Deploy (3 hosts): 0 deployed, 0 unchanged, 1 rolled back, 0 failed, 2 skipped');
    expect(out).toMatch(/wv2\s+skipped\s+-\s+no\s+-\s+not started: wave 1 waits for lower waves, and wv1 \(wave 0\) rolled back/);
    expect(summary().hosts[2]).toMatchObject({ host: 'wv3', status: 'skipped', reason: 'not started: wave 1 waits for lower waves, and wv1 (wave 0) rolled back' });
    // Nothing reached wave 1: no copy, no activation.
    for (const [i, h] of wave1.entries()) {
      expect(await readLink(h, '/run/current-system')).toBe(before[i].current);
      expect(await activations(h)).toEqual(before[i].log);
    }
  });
});
