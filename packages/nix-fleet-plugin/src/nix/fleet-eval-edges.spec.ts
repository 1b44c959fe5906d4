// The shared evaluation at its edges: the run's folder and id, who echoes, a failure with no
// log, an unreadable lock, old runs' folders, and a peer entry of the task's own host.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentRunId, EVAL_RUNS_DIR, runDirOf, sharedToplevel } from './fleet-eval';
import { FLAKE, peer, RUN, toplevel, world } from '../../testing/scripted-eval';

const hosts = ['web2', 'db', 'web1'].map(peer);
const options = { flakeRef: FLAKE, runId: RUN, pollMs: 7, memoryPerHostMiB: 64 };

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'fleet-eval-edges-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));
const runDir = () => runDirOf(root, RUN, FLAKE);
const result = (host: string) => JSON.stringify({ key: RUN, ...toplevel(host) });

describe('the run', () => {
  it('is the nx process that started this one, the same at each ask', () => {
    expect(currentRunId()).toMatch(new RegExp(`^${process.ppid}-\\S+$`));
    expect(currentRunId()).toBe(currentRunId());
  });

  it('has one folder per flake, named by the run and a short hash of the flake', () => {
    expect(runDirOf(root, RUN, FLAKE)).toMatch(new RegExp(`^${root}/${EVAL_RUNS_DIR}/${RUN}-[0-9a-f]{8}$`));
    expect(runDirOf(root, RUN, '/other')).not.toBe(runDirOf(root, RUN, FLAKE));
  });
});

describe('sharedToplevel', () => {
  it('evaluates the run quietly, and a host alone as its own task would, with no run folder', async () => {
    const w = world();
    await sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io);
    expect(w.echoes.every((echo) => echo === false)).toBe(true);
    const alone = world({ maxSleeps: 0 });
    const other = mkdtempSync(join(tmpdir(), 'fleet-eval-edges-'));
    try {
      await expect(sharedToplevel(peer('web1'), [], { ...options, root: other }, alone.io)).resolves.toEqual(toplevel('web1'));
      expect(alone.echoes).toEqual([undefined]);
      expect(existsSync(join(other, EVAL_RUNS_DIR))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('reports a failed chunk\'s error from the host\'s own evaluation when no log is given', async () => {
    const w = world({ failFor: ['web1'] });
    await expect(sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io)).rejects.toThrow('attribute missing');
  });

  it('takes over a lock whose pid cannot be read', async () => {
    mkdirSync(join(runDir(), 'lock', 'pid'), { recursive: true });
    const w = world({ maxSleeps: 0 });
    await expect(sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.evaluated()).toEqual(['db', 'web1', 'web2']);
  });

  it('keeps other runs\' folders younger than a day, and its own run\'s results', async () => {
    const runs = join(root, EVAL_RUNS_DIR);
    mkdirSync(join(runs, 'hour-old-run'), { recursive: true });
    mkdirSync(runDir(), { recursive: true });
    writeFileSync(join(runDir(), 'db.unknown.json'), result('db'));
    const hourAgo = (Date.now() - 3600 * 1000) / 1000;
    const twoDays = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(runs, 'hour-old-run'), hourAgo, hourAgo);
    utimesSync(runDir(), twoDays, twoDays);
    const w = world();
    await sharedToplevel(peer('web1'), hosts, { ...options, root }, w.io);
    expect(w.evaluated()).toEqual(['web1', 'web2']);
    expect(readdirSync(runs).sort()).toEqual([runDir().split('/').pop(), 'hour-old-run'].sort());
  });

  it('evaluates its own host once, under its own key, when a peer names the same host under another', async () => {
    const w = world();
    const own = { host: 'web1', key: 'k-own' };
    await expect(sharedToplevel(own, [{ host: 'web1', key: 'k-peer' }, peer('db')], { ...options, root }, w.io)).resolves.toEqual(toplevel('web1'));
    expect(w.evaluated()).toEqual(['db', 'web1']);
  });
});
