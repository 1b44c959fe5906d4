// Deploy as one batch process (executors.json's preferBatch) and, with --batch=false, as one
// process per host: the same waves, the same reports. Then a batch process killed mid-run:
// every unfinished host failed with the reason, no host left locked. Real nx, nix, ssh, sshd.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, builtOutPath, deployResult, deploymentFor, exists, readLink, startDeployFleet, switchScriptConfig, waitFor, type DeployFleet, type SwitchBehaviour } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import type { TestNetwork } from '../../support/test-hosts';
import { nxEnv, REPO_ROOT, type Workspace } from '../../support/workspace';

const NX_BIN = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
// bt1 is the canary (wave 0); bt2..bt5 are wave 1.
const WAVES = [0, 1, 1, 1, 1];
const LOCK = '/run/nix-fleet/deploy.lock';

/** Nx 23's task workers (bin/run-executor.js, or tasks-runner/fork.js without a pseudo terminal) and batch workers. */
const WORKER = /nx\/dist\/(bin\/run-executor|src\/tasks-runner\/fork|src\/tasks-runner\/batch\/run-batch)\.js/;

/** Those workers below `pid` that deploy: an ssh client of the test network runs below them. */
function deployWorkers(pid: number, sshConfig: string): number[] {
  const all = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf-8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return [{ pid: Number(p), ppid, argv: readFileSync(`/proc/${p}/cmdline`, 'utf-8').split('\0').join(' ') }];
      } catch {
        return [];
      }
    });
  const below = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) if (below.has(p.ppid) && !below.has(p.pid)) (below.add(p.pid), (grew = true));
  }
  const under = (root: number) => {
    const set = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of all) if (set.has(p.ppid) && !set.has(p.pid)) (set.add(p.pid), (grew = true));
    }
    return all.filter((p) => set.has(p.pid));
  };
  return all
    .filter((p) => below.has(p.pid) && WORKER.test(p.argv))
    .filter((w) => under(w.pid).some((p) => p.argv.startsWith('ssh ') && p.argv.includes(sshConfig)))
    .map((w) => w.pid);
}

describe('deploy in one batch process, and one process per host', () => {
  let fleet: DeployFleet | undefined;
  let net: TestNetwork;
  let ws: Workspace;
  let version = 1;

  const fixtureHost = (i: number, behaviour: SwitchBehaviour): FixtureHost => ({
    name: net.hosts[i].name,
    packages: [{ name: `${net.hosts[i].name}-app`, version: `${version}.0`, size: 4096 }],
    hostJson: deploymentFor(net, net.hosts[i], { wave: WAVES[i] }),
    extraConfig: switchScriptConfig(behaviour),
  });
  /** A new version of every host (the canary with its own behaviour), built before the deploy. */
  const release = (canary: SwitchBehaviour = {}) => {
    version++;
    // Wave-1 hosts finish at different times: bt2 first, bt5 last.
    writeFixtureFleet(ws.root, WAVES.map((_, i) => (i === 0 ? fixtureHost(0, canary) : fixtureHost(i, { sleepSeconds: i - 1 }))));
    ws.commit(`version ${version}`);
    ws.nx(['run-many', '-t', 'build']);
  };
  /** nx run-many -t deploy, watched: every worker process nx forks, and when each output line came. */
  const deploy = (args: string[], onWorker?: (pid: number) => void) => {
    const child = spawn(process.execPath, [NX_BIN, 'run-many', '-t', 'deploy', '--output-style=stream', ...args], { cwd: ws.root, env: nxEnv(), stdio: 'pipe' });
    const lines: Array<{ at: number; line: string }> = [];
    const seen = new Set<number>();
    const read = (c: Buffer) => c.toString().split('\n').forEach((line) => lines.push({ at: Date.now(), line }));
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    const poll = setInterval(() => {
      for (const w of deployWorkers(child.pid!, net.sshConfigFile)) if (!seen.has(w)) (seen.add(w), onWorker?.(w));
    }, 50);
    return new Promise<{ code: number | null; out: string; lines: typeof lines; processes: number }>((resolve) =>
      child.on('close', (code) => {
        clearInterval(poll);
        resolve({ code, out: lines.map((l) => l.line).join('\n'), lines, processes: seen.size });
      }),
    );
  };
  const summary = () => JSON.parse(readFileSync(join(ws.root, 'dist/deploy/summary.json'), 'utf-8'));

  beforeAll(async () => {
    fleet = await startDeployFleet(5, 'bt', 'nix-fleet-batch-');
    ({ net, ws } = fleet);
    release();
  });
  afterAll(async () => fleet?.teardown());

  describe.each([
    ['in one batch process (the default)', [] as string[], 1],
    ['with --batch=false, one process per host', ['--batch=false'], 5],
  ])('%s', (_name, flags, processes) => {
    it('deploys the canary, then wave 1, reporting each host as it finishes', async () => {
      release();
      const r = await deploy(['--parallel=5', ...flags]);
      expect(r.code).toBe(0);
      // The processes nx forked that ran ssh to a test host.
      expect(r.processes).toBe(processes);
      const canary = deployResult(ws.root, 'bt1');
      for (const h of ['bt2', 'bt3', 'bt4', 'bt5']) {
        const d = deployResult(ws.root, h);
        expect(d).toMatchObject({ status: 'deployed', outPath: builtOutPath(ws.root, h) });
        expect(d.finishedAt - d.durationMs).toBeGreaterThanOrEqual(canary.finishedAt);
      }
      // bt2's result was shown before bt5 (3 s slower) had finished.
      const shown = r.lines.find((l) => l.line.includes(`bt2: deployed ${builtOutPath(ws.root, 'bt2')}`));
      expect(shown?.at).toBeLessThan(deployResult(ws.root, 'bt5').finishedAt);
      expect(r.out).toContain('Deploy (5 hosts): 5 deployed');
    });

    it('a failing canary keeps wave 1 from starting; the summary says why', async () => {
      const before = await Promise.all([1, 2, 3, 4].map((i) => activations(net.hosts[i])));
      release({ fail: 'fixture: the canary does not boot' });
      const r = await deploy(['--parallel=5', ...flags]);
      expect(r.code).not.toBe(0);
      expect(deployResult(ws.root, 'bt1')).toMatchObject({ status: 'rolled-back', step: 'activation' });
      expect(await Promise.all([1, 2, 3, 4].map((i) => activations(net.hosts[i])))).toEqual(before);
      const rows = summary().hosts;
      expect(rows.map((h: { host: string; status: string }) => [h.host, h.status])).toEqual([['bt1', 'rolled-back'], ...['bt2', 'bt3', 'bt4', 'bt5'].map((h) => [h, 'skipped'])]);
      expect(rows[1].reason).toContain('bt1 (wave 0) rolled back');
    });
  });

  it('a batch process killed mid-run: every unfinished host failed with the reason, none left locked', async () => {
    const canary = net.hosts[0];
    const running = await readLink(canary, '/run/current-system');
    // The canary's activation takes 4 s; its watchdog rolls back 3 s after it, unconfirmed.
    release({ sleepSeconds: 4 });
    let batch = 0;
    const done = deploy(['--confirmTimeout=3'], (pid) => (batch = pid));
    const newSystem = builtOutPath(ws.root, 'bt1');
    await waitFor('the canary activating', async () => (await activations(canary)).some((l) => l.includes(newSystem)));
    process.kill(batch, 'SIGKILL');
    const r = await done;
    expect(r.code).not.toBe(0);
    const rows = summary().hosts;
    expect(rows.map((h: { host: string; status: string }) => [h.host, h.status])).toEqual(['bt1', 'bt2', 'bt3', 'bt4', 'bt5'].map((h) => [h, 'failed']));
    for (const row of rows) expect(row.reason).toContain(`the deploy batch (process ${batch}) ended before this host finished`);
    // The watchdog decides: the canary is back on its system and unlocked; no other host was touched.
    await waitFor('the watchdog to roll back and unlock the canary', async () => !(await exists(canary, LOCK)), 30000);
    expect(await readLink(canary, '/run/current-system')).toBe(running);
    for (const h of net.hosts.slice(1)) expect(await exists(h, LOCK)).toBe(false);
  });
});
