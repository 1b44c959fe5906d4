// Day-two operations on real SSH test hosts: rollback on demand, generations and exec across
// the fleet. Real nx, nix, nix-env, ssh and sshd in network namespaces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  activations,
  builtOutPath,
  deploymentFor,
  exists,
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
import { nxEnv, REPO_ROOT, type Workspace } from '../../support/workspace';
import { spawn } from 'node:child_process';
import { countExecutorProcesses, type ExecutorProcesses } from '../../support/executor-processes';

const readJson = (root: string, file: string) => JSON.parse(readFileSync(join(root, file), 'utf-8'));

describe('rollback, generations and exec on test hosts', () => {
  let net: TestNetwork;
  let fleet: DeployFleet | undefined;
  let ws: Workspace;
  const A: Record<string, string> = {};

  const fixtureHost = (i: number, version: string, behaviour: SwitchBehaviour = {}): FixtureHost => {
    const h = net.hosts[i];
    return { name: h.name, packages: [{ name: `${h.name}-app`, version, size: 4096 }], hostJson: deploymentFor(net, h), extraConfig: switchScriptConfig(behaviour) };
  };
  const release = (i: number, version: string, behaviour: SwitchBehaviour = {}) => {
    writeFixtureHost(ws.root, fixtureHost(i, version, behaviour));
    ws.commit(`${net.hosts[i].name} ${version}`);
  };
  let procs: ExecutorProcesses;
  const nx = (args: string[]) => {
    const r = ws.nx(args, { allowFailure: true, env: procs.env });
    return { status: r.status, out: r.stdout + r.stderr, stdout: r.stdout };
  };

  beforeAll(async () => {
    procs = countExecutorProcesses();
    fleet = await startDeployFleet(2, 'ops', 'nix-fleet-ops-');
    ({ net, ws } = fleet);
    // ops2's first system breaks when /run/fail-1.0 exists: a rollback to it that fails.
    writeFixtureFleet(ws.root, [fixtureHost(0, '1.0'), fixtureHost(1, '1.0', { failIf: '/run/fail-1.0' })]);
    ws.commit('fleet 1.0');
    ws.nx(['run-many', '-t', 'deploy', '--parallel=2']);
    for (const h of net.hosts) A[h.name] = builtOutPath(ws.root, h.name);
  });

  afterAll(async () => {
    procs?.remove();
    await fleet?.teardown();
  });

  it('deploy A, deploy B, rollback: the host runs A on its profile\'s generation of A, B is kept', async () => {
    const h = net.hosts[0];
    release(0, '2.0');
    expect(nx(['run', `${h.name}:deploy`]).status).toBe(0);
    const B = builtOutPath(ws.root, h.name);
    expect(await generations(h)).toEqual([`1 ${A[h.name]}`, `2 ${B}`]);

    const r = nx(['run', `${h.name}:rollback`]);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`${h.name}: rolling back from generation 2 (running ${B}) to generation 1 (${A[h.name]})`);
    expect(r.out).toContain(`${h.name}: rolled back from generation 2 (${B}) to generation 1 (${A[h.name]})`);
    expect(await readLink(h, '/run/current-system')).toBe(A[h.name]);
    expect((await h.exec(['readlink', SYSTEM_PROFILE])).trim()).toBe('system-1-link');
    // Nothing deleted, nothing new: B stays a generation to roll forward to.
    expect(await generations(h)).toEqual([`1 ${A[h.name]}`, `2 ${B}`]);
    expect((await activations(h)).slice(-1)).toEqual([`switch ${A[h.name]}`]);
    expect(await exists(h, '/run/nix-fleet/deploy.lock')).toBe(false);
    expect(readJson(ws.root, `dist/rollback/hosts/${h.name}.json`)).toMatchObject({ status: 'deployed', fromGeneration: 2, toGeneration: 1, copied: false, previous: B, running: A[h.name] });
    // Confirmed like a deploy: the deployer took the decision, so the watchdog did nothing.
    expect((await h.exec(['sh', '-c', 'ls -t /run/nix-fleet/*/decision/by | head -1 | xargs cat'])).trim()).toBe('deployer');
  });

  it('generations lists both with the running and booting one marked; --json for machines', async () => {
    const h = net.hosts[0];
    const B = builtOutPath(ws.root, h.name);
    const r = nx(['run', `${h.name}:generations`]);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`${h.name}: 2 generations of ${SYSTEM_PROFILE}`);
    expect(r.out).toMatch(new RegExp(`\\n\\s*1  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  yes      yes    ${A[h.name]}`));
    expect(r.out).toMatch(new RegExp(`\\n\\s*2  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ {18}${B}`));

    const j = nx(['run', `${h.name}:generations`, '--json']);
    const json = JSON.parse(j.stdout.slice(j.stdout.indexOf('{\n'), j.stdout.lastIndexOf('\n}') + 2));
    expect(json).toMatchObject({ host: h.name, status: 'ok', current: 1, running: A[h.name] });
    expect(json.generations.map((g: { number: number; running: boolean; boots: boolean; system: string }) => [g.number, g.running, g.boots, g.system])).toEqual([
      [1, true, true, A[h.name]],
      [2, false, false, B],
    ]);
  });

  it('rollback with nothing older refuses, names what the host has, and changes nothing', async () => {
    const h = net.hosts[0];
    const before = await activations(h);
    const r = nx(['run', `${h.name}:rollback`]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`Rollback of ${h.name} refused: ${h.name} is on generation 1 of ${SYSTEM_PROFILE} and has no older generation to roll back to. Its generations: 1 (current), 2.`);
    expect(await activations(h)).toEqual(before);
    expect(await readLink(h, '/run/current-system')).toBe(A[h.name]);
    expect(await exists(h, '/run/nix-fleet/deploy.lock')).toBe(false);
  });

  it('never rolls back to a failed deploy\'s generation: it skips it, and --to refuses it', async () => {
    const h = net.hosts[0];
    expect(nx(['run', `${h.name}:rollback`, '--to=2']).status).toBe(0);
    const B = builtOutPath(ws.root, h.name);
    // A broken deploy left in place (--rollback=false) becomes generation 3; a good one is 4.
    release(0, '3.0', { fail: 'fixture: 3.0 does not boot' });
    expect(nx(['run', `${h.name}:deploy`, '--rollback=false']).status).not.toBe(0);
    const broken = builtOutPath(ws.root, h.name);
    release(0, '4.0');
    expect(nx(['run', `${h.name}:deploy`]).status).toBe(0);
    expect((await generations(h)).map((g) => g.split(' ')[1])).toEqual([A[h.name], B, broken, builtOutPath(ws.root, h.name)]);

    const refused = nx(['run', `${h.name}:rollback`, '--to=3']);
    expect(refused.status).not.toBe(0);
    expect(refused.out).toContain(`refusing --to=3: generation 3 (${broken}, `);
    expect(refused.out).toContain('is the system of a deploy that failed on this host');

    const r = nx(['run', `${h.name}:rollback`]);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`to generation 2 (${B})`);
    expect(await readLink(h, '/run/current-system')).toBe(B);
  });

  it('exec runs one command on each host, prefixes its output, and a failing host stops no other', async () => {
    const [h1, h2] = net.hosts;
    await h1.exec(['touch', '/run/ready']);
    const r = nx(['run-many', '-t', 'exec', '--command=readlink /run/current-system; test -e /run/ready', '--parallel=2']);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`${h1.name} | ${await readLink(h1, '/run/current-system')}`);
    expect(r.out).toContain(`${h2.name} | ${A[h2.name]}`);
    expect(r.out).toMatch(/Exec \(2 hosts\): 1 ok, 1 failed/);
    expect(r.out).toMatch(new RegExp(`${h2.name}  failed {5}1  \\d+\\.\\ds  exit code 1`));
    expect(readJson(ws.root, 'dist/exec/summary.json').counts).toEqual({ ok: 1, failed: 1 });
    expect(readJson(ws.root, `dist/exec/hosts/${h1.name}.json`)).toMatchObject({ status: 'ok', exitCode: 0 });
    expect(readJson(ws.root, `dist/exec/hosts/${h2.name}.json`)).toMatchObject({ status: 'failed', exitCode: 1, command: 'readlink /run/current-system; test -e /run/ready' });
    // Never cached: the same command runs again.
    expect(nx(['run', `${h1.name}:exec`, '--command=echo again']).out).toContain(`${h1.name} | again`);
  });

  it('a rollback that fails is undone: the host runs what it ran, and neither generation is lost', async () => {
    const h = net.hosts[1];
    release(1, '2.0');
    expect(nx(['run', `${h.name}:deploy`]).status).toBe(0);
    const B = builtOutPath(ws.root, h.name);
    await h.exec(['touch', '/run/fail-1.0']);
    const r = nx(['run', `${h.name}:rollback`]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`Rollback of ${h.name} to generation 1 (${A[h.name]}) failed at activation; the host went back to what it ran before:`);
    expect(r.out).toContain(`The deployer rolled back to ${B}, the system that ran before this rollback.`);
    expect(r.out).toMatch(/Rollback \(1 host\): 1 undone/);
    expect(await readLink(h, '/run/current-system')).toBe(B);
    expect((await h.exec(['readlink', SYSTEM_PROFILE])).trim()).toBe('system-2-link');
    expect(await generations(h)).toEqual([`1 ${A[h.name]}`, `2 ${B}`]);
    expect((await activations(h)).slice(-2)).toEqual([`switch ${A[h.name]}`, `switch ${B}`]);
    // Once the cause is gone the same rollback works: a failed rollback marks no generation failed.
    await h.exec(['rm', '/run/fail-1.0']);
    expect(nx(['run', `${h.name}:rollback`]).status).toBe(0);
    expect(await readLink(h, '/run/current-system')).toBe(A[h.name]);
  });
  // Every fleet target prefers Nx's batch: one process for all hosts of a run; --batch=false
  // gives the process per host back. Both must show each host's own lines and keep going past a
  // failing host.
  describe.each([
    ['by default, in one process', [] as string[], { batch: 1, single: 0 }],
    ['with --batch=false, in one process per host', ['--batch=false'], { batch: 0, single: 2 }],
  ])('run-many %s', (_how, flags, processes) => {
    it('exec: each host its own lines, a failing host stops no other', async () => {
      const [h1, h2] = net.hosts;
      await h1.exec(['touch', '/run/ready-batch']);
      procs.reset();
      const r = nx(['run-many', '-t', 'exec', '--command=echo "$((20 + 22)) says hi"; test -e /run/ready-batch', '--output-style=stream', ...flags]);
      expect(procs.count()).toEqual(processes);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain(`${h1.name} | 42 says hi`);
      expect(r.out).toContain(`${h2.name} | 42 says hi`);
      expect(r.out).toMatch(new RegExp(`${h2.name}: failed \\(exit 1\\)`));
      expect(r.out).toMatch(/Exec \(2 hosts\): 1 ok, 1 failed/);
      await h1.exec(['rm', '/run/ready-batch']);
    });

    it("exec --host=<one host> over every host's task is refused by name and reaches no host", async () => {
      const [h1] = net.hosts;
      const r = nx(['run-many', '-t', 'exec', `--host=${h1.name}`, '--command=touch /run/host-flag', ...flags]);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain(`--host=${h1.name} names one host, but this run has 2 exec tasks`);
      for (const h of net.hosts) expect(await exists(h, '/run/host-flag')).toBe(false);
    });

    it('generations: each host its own table', () => {
      procs.reset();
      const r = nx(['run-many', '-t', 'generations', '--output-style=stream', ...flags]);
      expect(procs.count()).toEqual(processes);
      expect(r.status).toBe(0);
      for (const h of net.hosts) expect(r.out).toMatch(new RegExp(`${h.name}: \\d+ generations of ${SYSTEM_PROFILE}`));
    });

    it('rollback: one host rolls back while the other, with nothing older, is refused', () => {
      const [h1, h2] = net.hosts;
      // ops1 on generation 2 (it has 4); ops2 on its first (it has 2). Refused when already there.
      nx(['run', `${h1.name}:rollback`, '--to=2']);
      nx(['run', `${h2.name}:rollback`, '--to=1']);
      procs.reset();
      const r = nx(['run-many', '-t', 'rollback', '--output-style=stream', ...flags]);
      expect(procs.count()).toEqual(processes);
      expect(r.status).not.toBe(0);
      expect(r.out).toContain(`${h1.name}: rolled back from generation 2 (`);
      expect(r.out).toContain(`Rollback of ${h2.name} refused: ${h2.name} is on generation 1 of ${SYSTEM_PROFILE} and has no older generation to roll back to.`);
      expect(readJson(ws.root, `dist/rollback/hosts/${h1.name}.json`)).toMatchObject({ status: 'deployed', fromGeneration: 2, toGeneration: 1 });
    });
  });
  it('a batch stopped by SIGTERM reports every host: the running one stopped, the next not started', async () => {
    procs.reset();
    // One host at a time, the first one busy: the stop comes while it runs.
    const nxBin = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
    const child = spawn(process.execPath, [nxBin, 'run-many', '-t', 'exec', '--command=touch /run/exec-started; sleep 60', '--timeout=20', '--parallel=1', '--output-style=stream'], { cwd: ws.root, env: nxEnv(procs.env), stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    const batchPid = async () => {
      for (let i = 0; i < 600; i++) {
        const started = await Promise.all(net.hosts.map((h) => exists(h, '/run/exec-started')));
        const pid = started.some(Boolean) ? procs.pids('batch')[0] : undefined;
        if (pid) return pid;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no exec batch started:\n${out}`);
    };
    process.kill(await batchPid(), 'SIGTERM');
    expect(await done).not.toBe(0);
    const first = net.hosts.find((h) => out.includes(`Exec of ${h.name} stopped by SIGTERM`));
    const second = net.hosts.find((h) => h !== first);
    expect(first).toBeDefined();
    expect(out).toContain(`Not started: the batch was stopped by SIGTERM.`);
    expect(out).toMatch(new RegExp(`nx run ${second?.name}:exec[\\s\\S]*Not started`));
    expect(procs.count()).toEqual({ batch: 1, single: 0 });
    for (const h of net.hosts) await h.exec(['rm', '-f', '/run/exec-started']);
  });
});
