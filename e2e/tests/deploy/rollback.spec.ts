// deploy's rollbacks on real SSH test hosts: a failed activation, a failed health check, and
// a host that becomes unreachable after activation (rolled back by its own watchdog).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activations,
  builtOutPath,
  deployResult,
  deploymentFor,
  exists,
  readLink,
  switchScriptConfig,
  SYSTEM_PROFILE,
  type SwitchBehaviour,
  startDeployFleet,
  type DeployFleet,
} from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import type { TestNetwork } from '../../support/test-hosts';
import type { Workspace } from '../../support/workspace';

describe('deploy rollbacks on test hosts', () => {
  let net: TestNetwork;
  let fleet: DeployFleet | undefined;
  let ws: Workspace;
  const v1: Record<string, string> = {};

  const fixtureHost = (i: number, version: string, behaviour: SwitchBehaviour = {}, deployment = {}): FixtureHost => {
    const h = net.hosts[i];
    return {
      name: h.name,
      packages: [{ name: `${h.name}-app`, version, size: 65536 }],
      hostJson: deploymentFor(net, h, deployment),
      extraConfig: switchScriptConfig(behaviour),
    };
  };

  beforeAll(async () => {
    fleet = await startDeployFleet(3, 'db', 'nix-fleet-rollback-');
    ({ net, ws } = fleet);
    writeFixtureFleet(ws.root, [0, 1, 2].map((i) => fixtureHost(i, '1.0')));
    ws.commit('fleet v1');
    // Generation 1 on every host: what the rollbacks return to.
    ws.nx(['run-many', '-t', 'deploy', '--parallel=3']);
    for (const h of net.hosts) v1[h.name] = builtOutPath(ws.root, h.name);
  });

  afterAll(async () => fleet?.teardown());

  it('rolls back the one host whose activation fails; the others are deployed', async () => {
    writeFixtureHost(ws.root, fixtureHost(0, '2.0'));
    writeFixtureHost(ws.root, fixtureHost(1, '2.0', { fail: 'fixture: failed to start postgresql.service' }));
    writeFixtureHost(ws.root, fixtureHost(2, '2.0'));
    ws.commit('fleet v2, db2 broken');
    const r = ws.nx(['run-many', '-t', 'deploy', '--parallel=3'], { allowFailure: true });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/Deploy of db2 failed at activation and was rolled back by the deployer to \/nix\/store\/\S+-nixos-system-db2/);
    expect(out).toContain('fixture: failed to start postgresql.service');
    expect(out).toMatch(/Deploy \(3 hosts\): 2 deployed, 0 unchanged, 1 rolled back, 0 failed/);

    const [db1, db2, db3] = net.hosts;
    const v2 = builtOutPath(ws.root, 'db2');
    expect(await readLink(db2, SYSTEM_PROFILE)).toBe(v1.db2);
    expect(await readLink(db2, '/run/current-system')).toBe(v1.db2);
    expect((await activations(db2)).slice(-2)).toEqual([`switch ${v2}`, `switch ${v1.db2}`]);
    for (const h of [db1, db3]) expect(await readLink(h, SYSTEM_PROFILE)).toBe(builtOutPath(ws.root, h.name));
    expect(deployResult(ws.root, 'db2')).toMatchObject({ status: 'rolled-back', step: 'activation', rolledBackBy: 'deployer', previous: v1.db2 });
    const summary = JSON.parse(readFileSync(join(ws.root, 'dist/deploy/summary.json'), 'utf-8'));
    expect(summary.counts).toMatchObject({ deployed: 2, 'rolled-back': 1, failed: 0 });
    expect(await exists(db2, '/run/nix-fleet/deploy.lock')).toBe(false);
  });

  it('rolls back when a health check fails', async () => {
    const db1 = net.hosts[0];
    const before = await readLink(db1, SYSTEM_PROFILE);
    // Port 9 on the host's own loopback: nothing listens there.
    writeFixtureHost(ws.root, fixtureHost(0, '3.0', {}, { healthChecks: [{ url: 'http://127.0.0.1:9/', timeout: 2 }] }));
    ws.commit('db1 v3 with a failing health check');
    const r = ws.nx(['run', 'db1:deploy'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Deploy of db1 failed at health check and was rolled back by the deployer.*\n.*GET http:\/\/127\.0\.0\.1:9\/ did not pass within 2s/);
    const v3 = builtOutPath(ws.root, 'db1');
    expect(await readLink(db1, SYSTEM_PROFILE)).toBe(before);
    expect(await readLink(db1, '/run/current-system')).toBe(before);
    expect((await activations(db1)).slice(-2)).toEqual([`switch ${v3}`, `switch ${before}`]);
  });

  it('a host unreachable after activation rolls itself back; the deployer reports it', async () => {
    const db3 = net.hosts[2];
    const before = await readLink(db3, SYSTEM_PROFILE);
    writeFixtureHost(ws.root, fixtureHost(2, '3.0', { sshdDownSeconds: 6 }));
    ws.commit('db3 v3 stops its sshd for 6 s');
    const r = ws.nx(['run', 'db3:deploy', '--confirmTimeout=4'], { allowFailure: true });
    const out = r.stdout + r.stderr;
    expect(r.status).not.toBe(0);
    expect(out).toMatch(/Deploy of db3 failed at confirm and was rolled back by the watchdog/);
    expect(out).toContain(`The target's watchdog, on its own, rolled back to ${before}, the system that ran before this deploy.`);
    const v3 = builtOutPath(ws.root, 'db3');
    expect(await readLink(db3, SYSTEM_PROFILE)).toBe(before);
    expect(await readLink(db3, '/run/current-system')).toBe(before);
    expect((await activations(db3)).slice(-2)).toEqual([`switch ${v3}`, `switch ${before}`]);
    const by = await db3.exec(['sh', '-c', 'for d in /run/nix-fleet/*/; do cat "$d/decision/by"; done']);
    expect(by.trim().split('\n').at(-1)).toBe('watchdog');
    expect(deployResult(ws.root, 'db3')).toMatchObject({ status: 'rolled-back', rolledBackBy: 'watchdog', step: 'confirm' });
  });
});
