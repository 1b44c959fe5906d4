// The local target: argv run on this machine, through sudo only when not root.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployPlan } from './options';
import { checkOneMachineTask, isLocal, LocalHost, localArgv, localOptions } from './local-target';

/** A process's state letter, or "gone". */
function stateOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf-8').split(') ')[1]?.[0] ?? 'gone';
  } catch {
    return 'gone';
  }
}

/** Polls every 50 ms, at most `tries` times, until pid is gone or a zombie. */
async function untilEnded(pid: number, tries: number): Promise<void> {
  for (let i = 0; i < tries && !/^(gone|Z)$/.test(stateOf(pid)); i++) await new Promise((r) => setTimeout(r, 50));
}

const hostJson = (targetHost?: string) => ({ type: 'server' as const, system: 'x86_64-linux' as const, deployment: targetHost ? { targetHost } : {} });

describe('local target', () => {
  it.each([
    [0, ['nix-env', '-p', '/p'], ['nix-env', '-p', '/p']],
    [1000, ['nix-env', '-p', '/p'], ['sudo', '-n', '--', 'nix-env', '-p', '/p']],
  ])('uid %i runs %j as %j', (uid, argv, expected) => expect(localArgv(argv, uid)).toEqual(expected));

  it('runs argv here with no shell in between, and reports failure like ssh would', async () => {
    const t = new LocalHost(0);
    expect((await t.exec(['sh', '-c', 'echo "$1"', 'x', 'a b;$(no)'], { timeoutMs: 10000 })).stdout).toBe('a b;$(no)\n');
    await expect(t.exec(['sh', '-c', 'exit 3'], { timeoutMs: 10000 })).rejects.toMatchObject({ code: 3 });
    await expect(t.copy()).resolves.toEqual({ stdout: '', stderr: '', code: 0, durationMs: 0 });
    await expect(t.checkHostKeys()).resolves.toBeUndefined();
  });

  it('buildOn remote builds the derivation here, the target, with no copy first', async () => {
    const drvPath = '/nix/store/0l0c4mm2ngv5z4rmcqk1hmcd8ypmflfv-nixos-system-ares.drv';
    const lines: string[] = [];
    const plan = { ...deployPlan('ares', hostJson('localhost'), {}, {}), remoteBuild: { drvPath } };
    await expect(new LocalHost(0, plan, (l) => lines.push(l)).copy('/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-ares')).rejects.toThrow();
    expect(lines[0]).toBe(`ares: building ${drvPath} on localhost`);
  });

  it('bounds every call by timeout: the command and its children end at the limit, and it counts as timed out', async () => {
    const t = new LocalHost(0);
    const err = await t.exec(['sh', '-c', 'sleep 30 & echo "$!"; wait'], { timeoutMs: 20000, remoteSeconds: 1 }).catch((e) => e);
    expect(err).toMatchObject({ code: 124, timedOut: true });
    // Gone, or a zombie its new parent has not reaped yet; the signal takes a moment to land.
    const pid = Number(err.stdout.trim());
    await untilEnded(pid, 40);
    expect(stateOf(pid)).toMatch(/^(gone|Z)$/);
  }, 15000);

  it('a stop ends the command and its children, though the command runs in a session of its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nix-fleet-local-stop-'));
    const pidFile = join(dir, 'pid');
    const stop = new AbortController();
    const t = new LocalHost(0, undefined, undefined, stop.signal);
    const pending = t.exec(['sh', '-c', 'sleep 300 & echo "$!" > "$1"; wait', 'sh', pidFile], { timeoutMs: 60000, remoteSeconds: 60 }).catch((e) => e);
    let pid = 0;
    try {
      for (let i = 0; i < 200 && !pid; i++) {
        await new Promise((r) => setTimeout(r, 25));
        pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf-8').trim() : 0);
      }
      expect(pid).toBeGreaterThan(0);
      stop.abort('stop');
      expect(await pending).toMatchObject({ name: 'AbortedError' });
      await untilEnded(pid, 60);
      expect(stateOf(pid)).toMatch(/^(gone|Z)$/);
    } finally {
      if (pid && !/^(gone|Z)$/.test(stateOf(pid))) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 15000);

  it('a host is local by targetHost localhost or --local, which may not contradict --targetHost', () => {
    expect(isLocal(deployPlan('ares', hostJson('localhost'), {}, {}))).toBe(true);
    expect(isLocal(deployPlan('ares', hostJson('ares.lan'), localOptions({ local: true }), {}))).toBe(true);
    expect(isLocal(deployPlan('ares', hostJson(), localOptions({ local: true }), {}))).toBe(true);
    expect(isLocal(deployPlan('ares', hostJson('ares.lan'), {}, {}))).toBe(false);
    expect(() => localOptions({ local: true, targetHost: 'web1' })).toThrow('--local and --targetHost=web1 contradict each other');
    expect(localOptions({ local: true, targetHost: 'localhost' })).toEqual({ local: true, targetHost: 'localhost' });
  });

  it('localhost with a port is an ssh tunnel to another machine, not this one', () => {
    const tunnel = { type: 'server' as const, system: 'x86_64-linux' as const, deployment: { targetHost: 'localhost', port: 2222, targetUser: 'deploy' } };
    expect(isLocal(deployPlan('db', tunnel, {}, {}))).toBe(false);
    expect(isLocal(deployPlan('db', hostJson('localhost:2222'), {}, {}))).toBe(false);
  });

  it('--local takes one host a run: run-many would apply each host to this machine in turn', () => {
    const task = (target: string) => ({ target: { target } });
    expect(() => checkOneMachineTask({ local: true }, [task('deploy'), task('build'), task('build')], 'deploy')).not.toThrow();
    expect(() => checkOneMachineTask({ local: false }, [task('deploy'), task('deploy')], 'deploy')).not.toThrow();
    expect(() => checkOneMachineTask({ local: true }, [task('deploy'), task('deploy')], 'deploy')).toThrow(
      "--local applies a host's system to this machine, but this run has 2 deploy tasks. Run one host: nx run <host>:deploy --local.",
    );
  });

  it('--targetHost takes one host a run; deploy tasks Nx added only for the wave order do not count', () => {
    const task = (target: string, project: string, overrides: Record<string, unknown> = {}) => ({ target: { target, project }, overrides });
    expect(() => checkOneMachineTask({ targetHost: 'fresh1' }, [task('deploy', 'web1'), task('build', 'web1'), task('build', 'web2')], 'deploy')).not.toThrow();
    expect(() => checkOneMachineTask({}, [task('deploy', 'web1'), task('deploy', 'web2')], 'deploy')).not.toThrow();
    // nx run web2:deploy --target-host=fresh1 in a fleet with a canary wave: the canary's task only keeps the order.
    expect(() => checkOneMachineTask({ targetHost: 'fresh1' }, [task('deploy', 'canary', { waveOf: 'web2', targetHost: 'fresh1' }), task('deploy', 'web2', { waveOf: 'web2' })], 'deploy')).not.toThrow();
    expect(() => checkOneMachineTask({ targetHost: 'fresh1' }, [task('rollback', 'web1'), task('rollback', 'web2'), task('rollback', 'web3')], 'rollback')).toThrow(
      '--targetHost=fresh1 names one machine, but this run has 3 rollback tasks: each host would reach that machine in turn. Nothing was run. Run one host: nx run <host>:rollback --target-host=fresh1.',
    );
  });
});
