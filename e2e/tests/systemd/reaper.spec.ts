// The detached reaper of the systemd test hosts tears a run down after jest died. Its list of
// nspawn pids can be old by then: a pid there may belong to another program, which it must not
// touch (this machine reuses pids quickly during a mutation run).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, REAPER, startOf, startSystemdHosts } from '../../support/systemd-hosts';

async function until(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs the reaper for a run folder as jest would leave it, ends its owner, and waits for it. */
async function reapAfterOwner(started: ChildProcess[], args: string[]): Promise<{ code: number | null; stderr: string }> {
  const owner = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
  started.push(owner);
  const reaper = spawn('sh', ['-c', REAPER, 'nix-fleet-reaper', String(owner.pid), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  reaper.stderr!.on('data', (d) => (stderr += d));
  const ended = new Promise<number | null>((r) => reaper.on('exit', r));
  owner.kill('SIGKILL');
  return { code: await ended, stderr };
}

function childrenOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf-8').trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('systemd test hosts: the reaper', () => {
  const started: ChildProcess[] = [];
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nix-fleet-reaper-'));
  });
  afterEach(() => {
    // Each in its own process group, so that its children end with it.
    for (const p of started.splice(0)) {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves alone a program that now has a recorded nspawn pid, and its children', async () => {
    // Stands in for a program that got a dead nspawn's pid: it has a child, as nspawn has init.
    const stranger = spawn('sh', ['-c', 'sleep 300 & wait'], { stdio: 'ignore', detached: true });
    started.push(stranger);
    await until('the stranger\'s child', () => childrenOf(stranger.pid!).length > 0);
    const [strangerChild] = childrenOf(stranger.pid!);
    // Recorded as an init and an nspawn that have since ended: same pids, other start times.
    const start = Number(startOf(stranger.pid!));
    writeFileSync(join(dir, 'nspawn.pids'), `init ${strangerChild} ${start - 1}\nnspawn ${stranger.pid} ${start - 2}\n`);
    // A bridge name no one has (the reaper deletes it quietly); no namespaces.
    const bridge = `nfr${process.pid.toString(36)}`.slice(0, 15);
    expect(await reapAfterOwner(started, [dir, bridge])).toEqual({ code: 0, stderr: '' });
    expect(existsSync(dir)).toBe(false);
    expect(alive(stranger.pid!)).toBe(true);
    expect(alive(strangerChild)).toBe(true);
  });

  it('names a process by pid and start time', () => {
    expect(startOf(process.pid)).toMatch(/^\d+$/);
    expect(startOf(process.ppid)).toMatch(/^\d+$/);
    expect(startOf(process.pid)).not.toBe(startOf(1));
    expect(startOf(2 ** 22 + 1)).toBeUndefined();
  });

  it('ends a run\'s own container, namespace and folder once its owner is gone', async () => {
    const net = await startSystemdHosts(1, { namePrefix: 'rp' });
    try {
      const [host] = net.hosts;
      expect(readFileSync(join(net.dir, 'nspawn.pids'), 'utf-8')).toBe(`init ${host.initPid} ${startOf(host.initPid)}\nnspawn ${host.nspawnPid} ${startOf(host.nspawnPid)}\n`);
      expect(await reapAfterOwner(started, [net.dir, net.bridge, host.namespace])).toEqual({ code: 0, stderr: '' });
      expect(alive(host.nspawnPid)).toBe(false);
      expect(alive(host.initPid)).toBe(false);
      expect(existsSync(net.dir)).toBe(false);
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf-8' })).not.toContain(host.namespace);
    } finally {
      // Nothing is left to end: its nspawn is no longer ours, and the rest is gone already.
      await net.teardown();
    }
  });

  // systemd-nspawn can die while the container's init (PID 1 inside) runs on.
  it.each(['the teardown', 'the reaper'])('%s ends a container whose nspawn died first', async (by) => {
    const net = await startSystemdHosts(1, { namePrefix: 'rn' });
    const [host] = net.hosts;
    try {
      process.kill(host.nspawnPid, 'SIGKILL');
      await until('nspawn gone', () => !alive(host.nspawnPid));
      expect(alive(host.initPid)).toBe(true);
      if (by === 'the reaper') {
        expect((await reapAfterOwner(started, [net.dir, net.bridge, host.namespace])).code).toBe(0);
      } else {
        await net.teardown();
      }
      await until('init gone', () => !alive(host.initPid), 5000);
      expect(existsSync(net.dir)).toBe(false);
    } finally {
      await net.teardown();
    }
  });
});
