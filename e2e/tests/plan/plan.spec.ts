// --mode=plan on namespace test hosts: after a deploy, a change that adds a package is listed
// with its version and the bytes to copy, the untouched host is unchanged, an unreachable host
// is reported while the others are planned, and no host's store, profile, activation log or
// lock state moves. Real nx, nix, ssh and sshd.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, builtOutPath, deploymentFor, generations, readLink, switchScriptConfig, SYSTEM_PROFILE, startDeployFleet, type DeployFleet } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost, type FixturePackage } from '../../support/fixture-fleet';
import type { TestHost, TestNetwork } from '../../support/test-hosts';
import type { Workspace } from '../../support/workspace';

describe('deploy --mode=plan on test hosts', () => {
  let net: TestNetwork;
  let fleet: DeployFleet | undefined;
  let ws: Workspace;

  const fixtureHost = (i: number, version = '1.0', extra: FixturePackage[] = []): FixtureHost => {
    const h = net.hosts[i];
    return {
      name: h.name,
      packages: [{ name: `${h.name}-app`, version, size: 4096 }, ...extra],
      hostJson: deploymentFor(net, h),
      extraConfig: switchScriptConfig(),
    };
  };

  /** Everything a plan must leave alone on a host. */
  const state = async (h: TestHost) => ({
    store: (await h.exec(['sh', '-c', 'ls -a /nix/store; ls -a /nix/var/nix/profiles; ls -a /nix/var/nix/gcroots /nix/var/nix/gcroots/auto 2>/dev/null; true'])).split('\n'),
    valid: await h.exec(['sh', '-c', 'nix-store -q --requisites /run/current-system | sort']),
    generations: await generations(h),
    current: await readLink(h, '/run/current-system'),
    profile: await readLink(h, SYSTEM_PROFILE),
    activations: await activations(h),
    run: await h.exec(['sh', '-c', 'ls -aR /run/nix-fleet 2>/dev/null; true']),
  });

  beforeAll(async () => {
    fleet = await startDeployFleet(3, 'plan', 'nix-fleet-plan-');
    ({ net, ws } = fleet);
    writeFixtureFleet(ws.root, [0, 1, 2].map((i) => fixtureHost(i)));
    ws.commit('fleet v1');
    ws.nx(['run-many', '-t', 'deploy', '--projects=plan1,plan2', '--parallel=2']);
  });

  afterAll(async () => fleet?.teardown());

  it('lists an added package with its version and bytes to copy, reports the untouched host unchanged and the unreachable one, and moves nothing', async () => {
    const [h1, h2, h3] = net.hosts;
    const v1 = builtOutPath(ws.root, h1.name);
    // plan3 never got a system and its sshd is gone: a host the plan cannot reach.
    await h3.exec(['sh', '-c', 'kill "$(cat /run/sshd.pid)"']);
    writeFixtureHost(ws.root, fixtureHost(0, '1.1', [{ name: 'blob', version: '2.0', size: 1048576 }]));
    ws.commit('plan1 gets blob 2.0 and plan1-app 1.1');
    const before = [await state(h1), await state(h2)];

    const r = ws.nx(['run-many', '-t', 'deploy', '--mode=plan', '--parallel=3', '--output-style=static']);
    const out = r.stdout + r.stderr;
    const v2 = builtOutPath(ws.root, h1.name);
    expect(v2).not.toBe(v1);
    expect(out).toContain(`plan1: a deploy would change ${v1}\n  to ${v2}`);
    expect(out).toMatch(/↑\s+plan1-app\s+1\.0 -> 1\.1\s+±0 B/);
    expect(out).toMatch(/\+\s+blob\s+\+ 2\.0\s+\+1\.0 MiB/);
    expect(out).toContain(`plan2: unchanged, already running ${builtOutPath(ws.root, h2.name)}; nothing to copy`);
    expect(out).toContain('Plan (3 hosts): 1 would change, 1 unchanged, 1 unreachable, 0 failed');
    expect(out).toMatch(/plan3\s+unreachable\s+-\s+-\s+-\s+cannot reach plan3 over ssh/);

    const plan = JSON.parse(readFileSync(join(ws.root, 'dist/deploy/plan.json'), 'utf-8'));
    const p1 = plan.hosts.find((h: { host: string }) => h.host === 'plan1').result;
    // The new toplevel, app 1.1 and blob are missing on plan1; blob alone is 1 MiB of content.
    expect(p1).toMatchObject({ status: 'changes', current: v1, outPath: v2, copyPaths: 3, counts: { added: 1, upgraded: 1, removed: 0 } });
    expect(p1.copyBytes).toBeGreaterThan(1048576);
    expect(p1.changes).toEqual([
      expect.objectContaining({ kind: 'changed', pname: 'plan1-app', before: ['1.0'], after: ['1.1'] }),
      expect.objectContaining({ kind: 'added', pname: 'blob', after: ['2.0'] }),
    ]);
    expect(p1.growth).toBe(p1.closureSize - JSON.parse(await h1.exec(['sh', '-c', 'nix-store -q --size $(nix-store -qR /run/current-system) | paste -sd+ | sed "s/^/[/; s/$/]/; s/+/,/g"'])).reduce((a: number, b: number) => a + b, 0));

    // No lock, no copy, no activation, no generation: both hosts exactly as they were.
    expect([await state(h1), await state(h2)]).toEqual(before);
    expect(await h1.exec(['sh', '-c', `test -e ${v2} && echo copied || echo absent`])).toBe('absent\n');
  });

  it('the default output (no --verbose, no --output-style) names the added package and its version in the fleet table', () => {
    const r = ws.nx(['run-many', '-t', 'deploy', '--mode=plan', '--parallel=3']);
    const out = r.stdout + r.stderr;
    // Nx hides the output of successful tasks here: what shows is the fleet table.
    expect(out).not.toContain('plan1: a deploy would change');
    expect(out).toMatch(/plan1\s+changes\s+↑1 ↓0 ~0 \+1 -0\s.*\+blob 2\.0/);
    expect(out).toMatch(/↑plan1-app 1\.0→1\.1/);
    expect(out).toContain('packages ↑↓~+-: how many ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
  });

  it('works with nx affected: only the host the last commit touched is planned', () => {
    const r = ws.nx(['affected', '-t', 'deploy', '--mode=plan', '--base=HEAD~1', '--output-style=static']);
    const out = r.stdout + r.stderr;
    expect(out).toContain('Plan (1 host): 1 would change, 0 unchanged, 0 unreachable, 0 failed');
    expect(out).not.toContain('nx run plan2:deploy');
  });

  it('dry-activate\'s fleet summary shows what each host would start, stop and restart', () => {
    writeFixtureHost(ws.root, { ...fixtureHost(1, '1.2'), extraConfig: switchScriptConfig({ say: ['would stop the following units: old.service', 'would restart the following units: nginx.service'] }) });
    ws.commit('plan2 1.2, whose activation would restart nginx');
    const r = ws.nx(['run-many', '-t', 'deploy', '--mode=dry-activate', '--projects=plan2']);
    const out = r.stdout + r.stderr;
    expect(out).toContain(['dry-activate: what each host would do', '  plan2  would stop the following units: old.service', '         would restart the following units: nginx.service'].join('\n'));
  });
});
