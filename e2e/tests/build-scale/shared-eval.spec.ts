// The shared evaluation of a run (fleet-eval.ts) against real nix: callers that race for the
// lock, a broken host among good ones, a lock left by a dead process, a run already over.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDirOf, sharedToplevel, type EvalPeer } from '../../../packages/nix-fleet-plugin/src/nix/fleet-eval';
import { writeFixtureFleet, writeFixtureHost } from '../../support/fixture-fleet';
import { createNixCounter, evaluatedHosts } from '../../support/nix-counter';
import { createWorkspace, type Workspace } from '../../support/workspace';

const GOOD = ['gamma', 'alpha', 'beta-2'];

describe('one shared evaluation per run', () => {
  let ws: Workspace;
  const counter = createNixCounter();
  const realPath = process.env.PATH;
  const truth: Record<string, string> = {};
  let run = 0;
  const peers = (hosts: string[]): EvalPeer[] => hosts.map((host) => ({ host, key: `run${run}-${host}` }));
  // Each test is its own nx run; the callers of one test are tasks of that run.
  const options = () => ({ root: ws.root, flakeRef: ws.root, log: (l: string) => logs.push(l), pollMs: 20, runId: `test-run-${run}` });
  let logs: string[] = [];

  beforeAll(() => {
    ws = createWorkspace('nix-fleet-shared-eval-');
    writeFixtureFleet(ws.root, GOOD.map((name) => ({ name })), undefined, { evalCost: 300 });
    writeFixtureHost(ws.root, { name: 'broken', extraConfig: '  switchScript = throw "broken on purpose";\n' });
    ws.commit('fleet');
    for (const h of GOOD) {
      truth[h] = execFileSync('nix', ['eval', '--raw', `${ws.root}#nixosConfigurations.${h}.config.system.build.toplevel.drvPath`], { encoding: 'utf-8' });
    }
  });
  beforeEach(() => {
    run++;
    logs = [];
    process.env.PATH = counter.env.PATH;
    counter.reset();
  });
  afterEach(() => {
    process.env.PATH = realPath;
  });
  afterAll(() => ws.remove());

  it('callers that race for the lock share one evaluation: each host is evaluated once', async () => {
    const all = peers(GOOD);
    const results = await Promise.all(all.map((own) => sharedToplevel(own, all, options())));
    expect(results.map((r) => r.drvPath)).toEqual(GOOD.map((h) => truth[h]));
    expect(evaluatedHosts(counter.calls()).sort()).toEqual([...GOOD].sort());
    expect(logs.filter((l) => l.startsWith('evaluating 3 hosts'))).toHaveLength(1);
    // A second caller with the same keys finds its host remembered: no nix at all.
    counter.reset();
    expect((await sharedToplevel(all[1], all, options())).drvPath).toBe(truth.alpha);
    expect(counter.calls()).toEqual([]);
  });

  it('a caller that knows only its own key still evaluates the whole run once, and the others take their results', async () => {
    const all = peers(GOOD);
    const unknown = all.map((p) => ({ ...p, key: undefined }));
    const first = await sharedToplevel(all[0], unknown, options());
    expect(first.drvPath).toBe(truth.gamma);
    expect(evaluatedHosts(counter.calls()).sort()).toEqual([...GOOD].sort());
    counter.reset();
    const rest = await Promise.all(all.slice(1).map((own) => sharedToplevel(own, all, options())));
    expect(rest.map((r) => r.drvPath)).toEqual(GOOD.slice(1).map((h) => truth[h]));
    expect(counter.calls()).toEqual([]);
  });

  it('--skip-nx-cache (a fresh run) evaluates again what this machine remembers, once for the run', async () => {
    const all = peers(GOOD);
    await Promise.all(all.map((own) => sharedToplevel(own, all, options())));
    run++;
    counter.reset();
    const again = all.map((p) => ({ ...p }));
    const results = await Promise.all(again.map((own) => sharedToplevel(own, again, { ...options(), fresh: true })));
    expect(results.map((r) => r.drvPath)).toEqual(GOOD.map((h) => truth[h]));
    expect(evaluatedHosts(counter.calls()).sort()).toEqual([...GOOD].sort());
  });

  it('a broken host among good ones: the good ones are remembered, the broken one fails with its own error', async () => {
    const all = peers([...GOOD, 'broken']);
    const settled = await Promise.allSettled(all.map((own) => sharedToplevel(own, all, options())));
    const byHost = Object.fromEntries(all.map((p, i) => [p.host, settled[i]]));
    for (const h of GOOD) expect(byHost[h]).toEqual({ status: 'fulfilled', value: expect.objectContaining({ drvPath: truth[h] }) });
    expect(byHost.broken.status).toBe('rejected');
    expect(String((byHost.broken as PromiseRejectedResult).reason.stderr)).toContain('broken on purpose');
    // The failed chunk is evaluated again host by host, never the whole run again.
    const evaluated = evaluatedHosts(counter.calls());
    expect(evaluated.filter((h) => h === 'broken').length).toBe(2);
    expect(logs.some((l) => /the evaluation of .*broken.* failed/.test(l))).toBe(true);
    expect(evaluated.length).toBeLessThanOrEqual(GOOD.length * 2 + 2);
  });

  it('takes over a lock whose process died, and waits for one whose process lives', async () => {
    const all = peers(GOOD);
    const dead = spawnSync('true').pid as number;
    // First a dead owner: the caller must not wait for it.
    await expect(withLock(dead, () => sharedToplevel(all[0], all, options()))).resolves.toMatchObject({ drvPath: truth.gamma });

    run++;
    const next = peers(GOOD);
    const sleeper = spawn('sleep', ['30']);
    let ended = false;
    const waiting = withLock(sleeper.pid as number, () => sharedToplevel(next[0], next, options())).then((r) => {
      ended = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 600));
    expect(ended).toBe(false);
    expect(logs).toContain('waiting for the shared evaluation of 3 hosts');
    sleeper.kill('SIGKILL');
    await expect(waiting).resolves.toMatchObject({ drvPath: truth.gamma });
  });

  it('a run whose evaluation is over and did not give a host evaluates that host alone', async () => {
    const all = peers(GOOD);
    await withDone(() => sharedToplevel(all[2], all, options())).then((r) => expect(r.drvPath).toBe(truth['beta-2']));
    expect(evaluatedHosts(counter.calls())).toEqual(['beta-2']);
  });

  /** Runs `fn` with this run's lock held by `pid`. */
  async function withLock<T>(pid: number, fn: () => Promise<T>): Promise<T> {
    const dir = runDir();
    mkdirSync(join(dir, 'lock'));
    writeFileSync(join(dir, 'lock', 'pid'), String(pid));
    return fn();
  }

  /** Runs `fn` in a run whose evaluation is over. */
  async function withDone<T>(fn: () => Promise<T>): Promise<T> {
    writeFileSync(join(runDir(), 'done'), '');
    return fn();
  }

  function runDir(): string {
    const dir = runDirOf(ws.root, options().runId, ws.root);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return dir;
  }
});
