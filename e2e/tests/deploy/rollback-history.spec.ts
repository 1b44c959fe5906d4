// Rollbacks return to exactly what ran before, also after an earlier failure, and activation
// outlives its ssh connection. Real nx, nix, nix-env and sshd on namespace test hosts.
import { hostname } from 'node:os';
import {
  activations,
  builtOutPath,
  deployResult,
  deploymentFor,
  generations,
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

describe('rollback history and detached activation on test hosts', () => {
  let net: TestNetwork;
  let fleet: DeployFleet | undefined;
  let ws: Workspace;

  const fixtureHost = (i: number, version: string, behaviour: SwitchBehaviour = {}): FixtureHost => {
    const h = net.hosts[i];
    return {
      name: h.name,
      packages: [{ name: `${h.name}-app`, version, size: 4096 }],
      hostJson: deploymentFor(net, h),
      extraConfig: switchScriptConfig(behaviour),
    };
  };
  const deploy = (host: string) => ws.nx(['run', `${host}:deploy`], { allowFailure: true });

  beforeAll(async () => {
    fleet = await startDeployFleet(2, 'hist', 'nix-fleet-history-');
    ({ net, ws } = fleet);
    writeFixtureFleet(ws.root, [fixtureHost(0, '1.0'), fixtureHost(1, '1.0')]);
    ws.commit('fleet v1');
    ws.nx(['run-many', '-t', 'deploy', '--parallel=2']);
  });

  afterAll(async () => fleet?.teardown());

  it('two failed deploys in a row both end on the system from before, with the failed generations gone', async () => {
    const h = net.hosts[0];
    const v1 = builtOutPath(ws.root, h.name);
    expect(await generations(h)).toEqual([`1 ${v1}`]);

    const failed: string[] = [];
    for (const version of ['2.0', '3.0']) {
      writeFixtureHost(ws.root, fixtureHost(0, version, { fail: `fixture: ${version} does not boot` }));
      ws.commit(`${h.name} ${version}, broken`);
      const r = deploy(h.name);
      expect(r.status).not.toBe(0);
      failed.push(builtOutPath(ws.root, h.name));
      expect(r.stdout + r.stderr).toContain(`The deployer rolled back to ${v1}, the system that ran before this deploy.`);
      expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'rolled-back', step: 'activation', previous: v1, running: v1 });
      expect(await readLink(h, '/run/current-system')).toBe(v1);
      expect(await readLink(h, SYSTEM_PROFILE)).toBe(v1);
      // The failed generation is gone: no boot entry, no rollback target.
      expect(await generations(h)).toEqual([`1 ${v1}`]);
    }
    expect((await activations(h)).slice(-4)).toEqual([`switch ${failed[0]}`, `switch ${v1}`, `switch ${failed[1]}`, `switch ${v1}`]);

    // A good deploy after two failures makes the next generation, and runs.
    writeFixtureHost(ws.root, fixtureHost(0, '4.0'));
    ws.commit(`${h.name} 4.0`);
    expect(deploy(h.name).status).toBe(0);
    const v4 = builtOutPath(ws.root, h.name);
    expect(await readLink(h, '/run/current-system')).toBe(v4);
    expect((await generations(h)).map((g) => g.split(' ')[1])).toEqual([v1, v4]);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'deployed', running: v4 });
  });

  it('activation survives its ssh connection being cut half-way; the deployer follows it again and confirms', async () => {
    const h = net.hosts[1];
    writeFixtureHost(ws.root, fixtureHost(1, '2.0', { cutSessionsAfterSeconds: 1 }));
    ws.commit(`${h.name} 2.0 cuts its ssh sessions during activation`);
    const r = deploy(h.name);
    const out = r.stdout + r.stderr;
    const v2 = builtOutPath(ws.root, h.name);
    expect(out).toContain('connection lost during activation');
    expect(out).toContain('activating step 29');
    expect(r.status).toBe(0);
    expect((await activations(h)).slice(-2)).toEqual([`switch ${v2}`, `switch ${v2} complete`]);
    expect(await readLink(h, '/run/current-system')).toBe(v2);
    expect(await readLink(h, SYSTEM_PROFILE)).toBe(v2);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'deployed', running: v2 });
  });

  it('--breakLock: a lock left by a killed deployer is broken only when its owner is provably gone, or when forced', async () => {
    const h = net.hosts[1];
    // Every deploy has its own token; breaking a lock takes the decision of that token's deploy.
    const leave = (pid: number) =>
      h.exec(['sh', '-c', 'mkdir -p /run/nix-fleet/deploy.lock && printf "%s\\n" "$1" > /run/nix-fleet/deploy.lock/owner', 'x', `token=dkilled${pid} by root@${hostname()} pid ${pid} since 2026-12-02T10:00:00.000Z`]);
    writeFixtureHost(ws.root, fixtureHost(1, '3.0'));
    ws.commit(`${h.name} 3.0`);
    const before = await readLink(h, '/run/current-system');

    // A pid that cannot exist on Linux (pid_max is at most 2^22): its deployer is gone.
    await leave(99999999);
    const refused = deploy(h.name);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(`${h.name} is already being deployed (lock /run/nix-fleet/deploy.lock on ${h.name} held by root@${hostname()} pid 99999999 since 2026-12-02T10:00:00.000Z). Wait for that deploy; if it is gone, pass --breakLock=stale`);
    expect(await readLink(h, '/run/current-system')).toBe(before);

    const stale = ws.nx(['run', `${h.name}:deploy`, '--breakLock=stale']);
    expect(stale.stdout + stale.stderr).toContain(`broke the lock /run/nix-fleet/deploy.lock on ${h.name} held by root@${hostname()} pid 99999999 since 2026-12-02T10:00:00.000Z (process 99999999 no longer runs on ${hostname()})`);
    expect(await readLink(h, '/run/current-system')).toBe(builtOutPath(ws.root, h.name));

    // This test's own process is alive: stale refuses, force breaks.
    await leave(process.pid);
    writeFixtureHost(ws.root, fixtureHost(1, '4.0'));
    ws.commit(`${h.name} 4.0`);
    const alive = ws.nx(['run', `${h.name}:deploy`, '--breakLock=stale'], { allowFailure: true });
    expect(alive.status).not.toBe(0);
    expect(alive.stdout + alive.stderr).toContain(`pid ${process.pid} since 2026-12-02T10:00:00.000Z, which may still be deploying (it is not provably gone). Wait for it, or pass --breakLock=force`);
    const forced = ws.nx(['run', `${h.name}:deploy`, '--breakLock=force']);
    expect(forced.stdout + forced.stderr).toContain('(forced with --breakLock=force)');
    expect(await readLink(h, '/run/current-system')).toBe(builtOutPath(ws.root, h.name));
  });
});
