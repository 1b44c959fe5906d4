// The shared evaluation's lock and wait protocol, with nix, time and other processes scripted:
// two tasks of one run in one process, a lock left by a live or a dead task, a run already done.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMemoryPerHost, EVAL_RUNS_DIR, runDirOf, sharedToplevel, skipsNxCache, type EvalIo, type EvalPeer } from './fleet-eval';
import { FLAKE, peer, RUN, toplevel, until, world } from '../../testing/scripted-eval';

const hosts = ['web2', 'db', 'web1'].map(peer);

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fleet-eval-spec-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const runDir = () => runDirOf(root, RUN, FLAKE);
const options = { flakeRef: FLAKE, runId: RUN, pollMs: 7, memoryPerHostMiB: 64 };

describe('sharedToplevel: the lock and wait protocol', () => {
  it('evaluates the run once: the second task waits for the first and takes its result', async () => {
    const w = world({ gated: true });
    const log: string[] = [];
    const first = sharedToplevel(peer('web1'), hosts, { ...options, root, log: (l) => log.push(`A ${l}`) }, w.io);
    await until(() => w.calls.length >= 1);
    const calls = w.calls.length;
    const second = sharedToplevel(peer('db'), [...hosts].reverse(), { ...options, root, log: (l) => log.push(`B ${l}`) }, w.io);
    await until(() => w.sleeps.length >= 3);
    expect(w.calls).toHaveLength(calls);
    w.release();
    await expect(first).resolves.toEqual(toplevel('web1'));
    await expect(second).resolves.toEqual(toplevel('db'));
    // One evaluation of every host of the run, the task's own first.
    expect(w.evaluated()).toEqual(['db', 'web1', 'web2']);
    expect(w.calls[0][0]).toBe('web1');
    expect(w.sleeps.every((ms) => ms === 7)).toBe(true);
    // The waiting task says so once, not at every poll.
    expect(log.filter((l) => l.startsWith('B waiting'))).toEqual(['B waiting for the shared evaluation of 3 hosts']);
    expect(existsSync(join(runDir(), 'done'))).toBe(true);
    expect(existsSync(join(runDir(), 'lock'))).toBe(false);
  });

  it('leaves a live task\'s lock alone and waits for its result', async () => {
    mkdirSync(join(runDir(), 'lock'), { recursive: true });
    writeFileSync(join(runDir(), 'lock', 'pid'), '31337');
    const asked: number[] = [];
    const w = world({ alive: (pid) => (asked.push(pid), true) });
    const task = sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io);
    await until(() => w.sleeps.length >= 5);
    // The owner finishes: its result and the done marker appear, its lock goes.
    writeFileSync(join(runDir(), 'web1.unknown.json'), JSON.stringify({ key: RUN, ...toplevel('web1') }));
    writeFileSync(join(runDir(), 'done'), '');
    rmSync(join(runDir(), 'lock'), { recursive: true });
    await expect(task).resolves.toEqual(toplevel('web1'));
    expect(w.calls).toEqual([]);
    expect(asked.length).toBeGreaterThanOrEqual(5);
    expect(new Set(asked)).toEqual(new Set([31337]));
  });

  it('takes over the lock of a task that died, and evaluates the run itself', async () => {
    mkdirSync(join(runDir(), 'lock'), { recursive: true });
    writeFileSync(join(runDir(), 'lock', 'pid'), '31337');
    const w = world({ alive: (pid) => pid !== 31337 });
    await expect(sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.evaluated()).toEqual(['db', 'web1', 'web2']);
  });

  it('waits for a lock whose pid is not written yet, and takes it once it is 10 s old', async () => {
    const lock = join(runDir(), 'lock');
    mkdirSync(lock, { recursive: true });
    const w = world({ alive: () => false });
    const task = sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io);
    await until(() => w.sleeps.length >= 3);
    expect(w.calls).toEqual([]);
    const old = (Date.now() - 11_000) / 1000;
    utimesSync(lock, old, old);
    await expect(task).resolves.toEqual(toplevel('web1'));
    expect(w.evaluated()).toEqual(['db', 'web1', 'web2']);
  });

  it('after a run that is done without its host, evaluates that host alone instead of waiting', async () => {
    mkdirSync(runDir(), { recursive: true });
    writeFileSync(join(runDir(), 'done'), '');
    const w = world({ maxSleeps: 0 });
    await expect(sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.calls).toEqual([['web1']]);
  });

  it('a host whose chunk failed is evaluated alone by its own task, which reports its own error', async () => {
    const w = world({ failFor: ['web1'] });
    const log: string[] = [];
    await expect(sharedToplevel(peer('web1'), hosts, { ...options, root, log: (l) => log.push(l) }, w.io)).rejects.toThrow('attribute missing');
    // The run evaluated every host once; web1's chunk failed, so web1 went again alone, and failed alone.
    expect(w.calls.slice(0, -1).flat().sort()).toEqual(['db', 'web1', 'web2']);
    expect(w.calls[w.calls.length - 1]).toEqual(['web1']);
    expect(log.some((l) => /^the evaluation of (\w+, )*web1(, \w+)* failed \(error: attribute missing\); each of them is evaluated alone$/.test(l))).toBe(true);
    // Its peers' results are there for their own tasks.
    expect(existsSync(join(runDir(), 'web2.unknown.json')) || w.calls.some((c) => c.includes('web2') && c.includes('web1'))).toBe(true);
  });

  it('takes a result the run already has without evaluating or waiting', async () => {
    mkdirSync(runDir(), { recursive: true });
    writeFileSync(join(runDir(), 'db.unknown.json'), JSON.stringify({ key: RUN, ...toplevel('db') }));
    const w = world({ maxSleeps: 0 });
    await expect(sharedToplevel(peer('db'), hosts, { ...options, root }, w.io)).resolves.toEqual(toplevel('db'));
    expect(w.calls).toEqual([]);
  });

  it('ignores a result another run left, and one torn in half', async () => {
    mkdirSync(runDir(), { recursive: true });
    writeFileSync(join(runDir(), 'db.unknown.json'), JSON.stringify({ key: 'other-run', ...toplevel('x') }));
    writeFileSync(join(runDir(), 'web1.unknown.json'), '{"key": "4242-777", "drvPa');
    const w = world();
    await expect(sharedToplevel(peer('db'), hosts, { ...options, root }, w.io)).resolves.toEqual(toplevel('db'));
    expect(w.evaluated()).toEqual(['db', 'web1', 'web2']);
  });

  it('a host alone in its run is evaluated alone, with no lock', async () => {
    const w = world({ maxSleeps: 0 });
    await expect(sharedToplevel(peer('web1'), [peer('web1')], { ...options, root }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.calls).toEqual([['web1']]);
    expect(existsSync(join(runDir(), 'lock'))).toBe(false);
  });
});

describe('sharedToplevel: what it takes without evaluating, and what it cleans up', () => {
  const remember = (host: string, key: string) => {
    mkdirSync(join(root, '.nx/nix-fleet/toplevels'), { recursive: true });
    writeFileSync(join(root, '.nx/nix-fleet/toplevels', `${host}.json`), JSON.stringify({ key, ...toplevel(host) }));
  };

  it('a toplevel this machine remembers at the task\'s key is taken as it is, unless the run is fresh', async () => {
    remember('web1', 'k1');
    const w = world({ maxSleeps: 0 });
    await expect(sharedToplevel({ host: 'web1', key: 'k1' }, hosts, { ...options, root, fresh: false }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.calls).toEqual([]);
    // At another key it is no proof.
    await expect(sharedToplevel({ host: 'web1', key: 'k2' }, [{ host: 'web1', key: 'k2' }], { ...options, root, fresh: false }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.calls).toEqual([['web1']]);
    await sharedToplevel({ host: 'web1', key: 'k1' }, [{ host: 'web1', key: 'k1' }], { ...options, root, fresh: true }, w.io);
    expect(w.calls).toEqual([['web1'], ['web1']]);
  });

  it('the run evaluates only the peers this machine does not remember', async () => {
    remember('db', 'kdb');
    const w = world();
    await sharedToplevel({ host: 'web1', key: undefined }, [peer('web2'), { host: 'db', key: 'kdb' }], { ...options, root, fresh: false }, w.io);
    expect(w.evaluated()).toEqual(['web1', 'web2']);
  });

  it('takes a result a task without the key left in the run', async () => {
    mkdirSync(runDir(), { recursive: true });
    writeFileSync(join(runDir(), 'web1.unknown.json'), JSON.stringify({ key: RUN, ...toplevel('web1') }));
    const w = world({ maxSleeps: 0 });
    await expect(sharedToplevel({ host: 'web1', key: 'k9' }, hosts, { ...options, root, fresh: false }, w.io)).resolves.toEqual(toplevel('web1'));
    // Also a task alone in its run (it started after its peers finished).
    await expect(sharedToplevel({ host: 'web1', key: 'k9' }, [], { ...options, root, fresh: false }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.calls).toEqual([]);
  });

  it('polls every 100 ms unless told otherwise', async () => {
    mkdirSync(join(runDir(), 'lock'), { recursive: true });
    writeFileSync(join(runDir(), 'lock', 'pid'), '31337');
    const w = world({ maxSleeps: 2 });
    const { pollMs: _unused, ...noPoll } = options;
    await expect(sharedToplevel(peer('web1'), hosts, { ...noPoll, root }, w.io)).rejects.toThrow('still waiting');
    expect(w.sleeps).toEqual([100, 100, 100]);
  });

  it('the largest memory any host of the run declares sizes the plan; a bad one does not count', async () => {
    const w = world();
    const log: string[] = [];
    const peers = [{ host: 'web2', key: undefined, memoryPerHostMiB: 8192 }, { host: 'db', key: undefined, memoryPerHostMiB: -5 }];
    await sharedToplevel(peer('web1'), peers, { ...options, root, log: (l) => log.push(l) }, w.io);
    expect(log.find((l) => l.startsWith('evaluating 3 hosts'))).toMatch(/\(8 GiB per host, /);
    const log2: string[] = [];
    await sharedToplevel(peer('web1'), peers.slice(1), { ...options, root: mkdtempSync(join(tmpdir(), 'fleet-eval-spec-')), memoryPerHostMiB: 3072, log: (l) => log2.push(l) }, w.io);
    expect(log2.find((l) => l.startsWith('evaluating 2 hosts'))).toMatch(/\(3 GiB per host, /);
  });

  it('removes other runs\' folders over a day old, never its own', async () => {
    const runs = join(root, EVAL_RUNS_DIR);
    for (const name of ['old-run', 'recent-run']) mkdirSync(join(runs, name), { recursive: true });
    const twoDays = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(runs, 'old-run'), twoDays, twoDays);
    mkdirSync(runDir(), { recursive: true });
    utimesSync(runDir(), twoDays, twoDays);
    await sharedToplevel(peer('web1'), hosts, { ...options, root }, world().io);
    expect(readdirSync(runs).sort()).toEqual([runDir().split('/').pop(), 'recent-run'].sort());
  });
});

describe('checkMemoryPerHost', () => {
  it.each([[64], [4096], [1048576], [undefined]])('accepts %p', (m) => {
    expect(checkMemoryPerHost(m)).toBe(m);
  });
  it.each([[63], [1048577], [1.5], ['4096'], [0], [-1]])('refuses %p, naming the range and an example', (m) => {
    expect(() => checkMemoryPerHost(m)).toThrow(`--memoryPerHostMiB is ${JSON.stringify(m)}: expected a whole number of MiB from 64 to 1048576, e.g. 4096`);
  });
});

describe('skipsNxCache', () => {
  const before = process.env.NX_SKIP_NX_CACHE;
  afterEach(() => (before === undefined ? delete process.env.NX_SKIP_NX_CACHE : (process.env.NX_SKIP_NX_CACHE = before)));
  it('is what Nx passes to every task of a --skip-nx-cache run', () => {
    process.env.NX_SKIP_NX_CACHE = 'true';
    expect(skipsNxCache()).toBe(true);
    process.env.NX_SKIP_NX_CACHE = 'false';
    expect(skipsNxCache()).toBe(false);
    delete process.env.NX_SKIP_NX_CACHE;
    expect(skipsNxCache()).toBe(false);
  });
});

