// What run hands a command (stdin, folder, environment) and where its output goes besides the result.
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { sleep } from './processes';
import { CommandError, run } from './run';

/** Whether a process still runs: a zombie waiting for its reaper (PID 1 here can be slow) has ended. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A log that keeps what is written to it. */
function memoryLog() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('run: input and environment', () => {
  it('feeds `input` to stdin, and gives no stdin at all otherwise (a command that reads it ends)', async () => {
    await expect(run('cat', [], { input: 'line one\nline two' })).resolves.toMatchObject({ stdout: 'line one\nline two' });
    await expect(run('sh', ['-c', 'cat; echo end'], { timeoutMs: 5000 })).resolves.toMatchObject({ stdout: 'end\n' });
  });

  it('says how long the command took', async () => {
    const { durationMs } = await run('sleep', ['0.1']);
    expect(durationMs).toBeGreaterThanOrEqual(90);
    expect(durationMs).toBeLessThan(10000);
  });

  it('runs in `cwd` with `env`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-io-'));
    try {
      const r = await run('sh', ['-c', 'pwd; echo "$NIX_FLEET_SPEC"'], { cwd: dir, env: { PATH: process.env.PATH, NIX_FLEET_SPEC: 'x y' } });
      expect(r.stdout).toBe(`${realpathSync(dir)}\nx y\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('run: what the person sees', () => {
  it('echoes the command before it runs, and copies stderr and stdout when asked, capturing both', async () => {
    const log = memoryLog();
    const r = await run('sh', ['-c', 'echo out; echo err >&2', 'a b'], { echo: true, streamStderr: true, streamStdout: true, log: log.stream });
    expect(r).toMatchObject({ stdout: 'out\n', stderr: 'err\n', code: 0 });
    const lines = log.text().split('\n');
    expect(lines[0]).toBe("> sh -c 'echo out; echo err >&2' 'a b'");
    expect(lines.slice(1).sort()).toEqual(['', 'err', 'out']);
  });

  it('writes nothing to the log unless asked', async () => {
    const log = memoryLog();
    await run('sh', ['-c', 'echo out; echo err >&2'], { log: log.stream });
    expect(log.text()).toBe('');
  });

  it('splits progress on carriage returns too, and hands over a last line without end', async () => {
    const lines: string[] = [];
    await run('sh', ['-c', 'printf "10%%\\r20%%\\r\\ndone" >&2'], { onStderrLine: (l) => lines.push(l) });
    expect(lines).toEqual(['10%', '20%', 'done']);
  });

  it('keeps the last 64 KiB of stderr, where the reason is', async () => {
    const err = (await run('sh', ['-c', 'head -c 200000 /dev/zero | tr "\\0" x >&2; echo >&2; echo "error: the reason" >&2; exit 1']).catch((e) => e)) as CommandError;
    expect(err.stderr.length).toBeLessThanOrEqual(64 * 1024);
    expect(err.stderr.endsWith('\nerror: the reason\n')).toBe(true);
    expect(err.reason).toBe('error: the reason');
  });

  it('reports a command killed by a signal, with what it printed', async () => {
    const err = (await run('sh', ['-c', 'echo partial; kill -KILL $$']).catch((e) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: null, signal: 'SIGKILL', stdout: 'partial\n', timedOut: false });
    expect(err.message).toBe("sh -c 'echo partial; kill -KILL $$' was killed by SIGKILL");
  });
});

describe('run: stopping', () => {
  it('a process group of its own: a timeout ends the command and what it started', async () => {
    const err = (await run('sh', ['-c', 'sleep 60 & echo "$!" >&2; wait'], { timeoutMs: 300, processGroup: true }).catch((e) => e)) as CommandError;
    expect(err).toMatchObject({ timedOut: true });
    const pid = Number(err.stderr.trim());
    for (let i = 0; i < 200 && running(pid); i++) await sleep(10);
    expect(running(pid)).toBe(false);
  });

  it('a command that exits 0 when told to stop has still timed out', async () => {
    const err = (await run('sh', ['-c', 'trap "exit 0" TERM; sleep 5 & wait'], { timeoutMs: 200, exitGraceMs: 100 }).catch((e) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ code: 0, timedOut: true });
  });

  it('leaves no listener on the caller\'s AbortSignal once a run is over (one signal serves a whole deploy)', async () => {
    const stop = new AbortController();
    await run('true', [], { signal: stop.signal });
    await run('false', [], { signal: stop.signal }).catch(() => undefined);
    expect(getEventListeners(stop.signal, 'abort')).toEqual([]);
  });

  it('kills a command that ignores SIGTERM', async () => {
    const started = Date.now();
    const err = (await run('sh', ['-c', 'trap "" TERM; exec sleep 60'], { timeoutMs: 100, exitGraceMs: 100 }).catch((e) => e)) as CommandError;
    expect(err).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(Date.now() - started).toBeLessThan(10000);
  }, 15000);
});
