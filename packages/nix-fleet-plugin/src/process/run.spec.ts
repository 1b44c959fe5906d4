import { AbortedError, CommandError, formatCommand, lastErrorLine, run } from './run';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};


/**
 * SIGKILL to one process, by a pid a command printed. Never 0 or less: those name whole process
 * groups, and a bug (or a mutant) that loses the output turns Number('') into 0, which killed the
 * spec's own process group and a whole mutation run with it.
 */
function killOne(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`not the pid of a process this spec started: ${pid}`);
  process.kill(pid, 'SIGKILL');
}
describe('run', () => {
  it('passes arguments as they are, without a shell', async () => {
    const result = await run('printf', ['%s|', 'a b', '$(echo no)', ';ls']);
    expect(result.stdout).toBe('a b|$(echo no)|;ls|');
  });

  it('turns a failure into an error with the tool reason', async () => {
    expect.assertions(3);
    try {
      await run('sh', ['-c', 'echo "warning: x" >&2; echo "error: attribute missing" >&2; exit 3']);
    } catch (e) {
      const err = e as CommandError;
      expect(err.code).toBe(3);
      expect(err.reason).toBe('error: attribute missing');
      expect(err.message).toBe("sh -c 'echo \"warning: x\" >&2; echo \"error: attribute missing\" >&2; exit 3' exited with code 3: error: attribute missing");
    }
  });

  it('stops a command at its timeout', async () => {
    await expect(run('sleep', ['5'], { timeoutMs: 100 })).rejects.toMatchObject({ timedOut: true, message: 'sleep 5 timed out' });
  });

  it('says when a tool is missing', async () => {
    await expect(run('nix-fleet-no-such-tool', [])).rejects.toThrow(/is not on PATH; install it first/);
  });

  it.each([2 ** 31, 3000030000, 0, -5, NaN])('refuses a timeout of %d ms Node cannot keep, and runs nothing', async (timeoutMs) => {
    const marker = `/tmp/nix-fleet-run-spec-${process.pid}-${String(timeoutMs)}`;
    await expect(run('touch', [marker], { timeoutMs })).rejects.toThrow(`a timeout of ${timeoutMs} ms is outside 1..2147483647 ms; nothing was run.`);
    expect(require('node:fs').existsSync(marker)).toBe(false);
  });

  it('keeps the longest timeout Node can: a 2^31-1 ms timeout does not fire at once', async () => {
    await expect(run('sh', ['-c', 'sleep 0.2; echo ok'], { timeoutMs: 2 ** 31 - 1 })).resolves.toMatchObject({ stdout: 'ok\n' });
  });

  it('hands complete stdout lines to a follower, and still captures them', async () => {
    const lines: string[] = [];
    const r = await run('sh', ['-c', 'printf "a\nb"; sleep 0.05; printf "c\nd"'], { onStdoutLine: (l) => lines.push(l) });
    expect(lines).toEqual(['a', 'bc', 'd']);
    expect(r.stdout).toBe('a\nbc\nd');
  });

  // A grandchild that holds stdout, as the master of a shared ssh connection holds a session's pipes.
  it('settles when the command exits, though a process it left holds its output pipe', async () => {
    const r = await run('sh', ['-c', 'sleep 60 & echo "$!"; echo left'], { exitGraceMs: 200 });
    const pid = Number(r.stdout.split('\n')[0]);
    try {
      expect(r).toMatchObject({ code: 0, stdout: `${pid}\nleft\n` });
      expect(alive(pid)).toBe(true);
    } finally {
      killOne(pid);
    }
  }, 10000);

  it('settles a timed-out command on its exit, though a child of it holds the pipe', async () => {
    const err = await run('sh', ['-c', 'sleep 60 & echo "$!" >&2; wait'], { timeoutMs: 300, exitGraceMs: 200 }).catch((e: CommandError) => e);
    // sh was killed; its sleep lives on in our process group: end it by its PID.
    killOne(Number((err as CommandError).stderr.trim()));
    expect(err).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
  }, 10000);

  it('stops a command when its AbortSignal fires, and refuses to start one after', async () => {
    const stop = new AbortController();
    const running = run('sleep', ['30'], { signal: stop.signal });
    setTimeout(() => stop.abort('SIGINT'), 50);
    await expect(running).rejects.toThrow(new AbortedError('sleep', ['30'], 'SIGINT'));
    await expect(run('true', [], { signal: stop.signal })).rejects.toThrow('true was stopped: SIGINT');
  }, 10000);

  it('keeps only the tail of stdout when asked: a command that prints without end cannot exhaust memory', async () => {
    // 70 MB in lines of 1001 bytes, of which 1000 bytes are kept. (Not more: under a mutation run a
    // mutant that keeps it all would hold it in each test runner at once.)
    let lines = 0;
    const r = await run('sh', ['-c', 'yes "$(printf %01000d 0)" | head -c 70070000; echo last'], {
      stdoutTailBytes: 1000,
      onStdoutLine: () => lines++,
    });
    expect(r.stdout.endsWith('\nlast\n')).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(1000);
    expect(lines).toBe(70001);
  }, 120000);

  it('cuts a line without end when stdout keeps only its tail', async () => {
    const seen: number[] = [];
    const r = await run('sh', ['-c', 'head -c 5000000 /dev/zero | tr "\\0" a; echo; echo last'], { stdoutTailBytes: 1000, onStdoutLine: (l) => seen.push(l.length) });
    expect(r.stdout.endsWith('\nlast\n')).toBe(true);
    // The tail of the line plus at most one chunk of the pipe, not 5 MB.
    expect(Math.max(...seen)).toBeLessThanOrEqual(1000 + 65536);
  }, 60000);

  it('a fast command that prints 1 MB and exits loses nothing to the exit grace', async () => {
    const n = await run('sh', ['-c', 'head -c 1048576 /dev/zero | tr "\\0" a']);
    expect(n.stdout.length).toBe(1048576);
  });

  it('hands complete stderr lines to a progress callback', async () => {
    const lines: string[] = [];
    await run('sh', ['-c', 'printf "one\\ntw" >&2; sleep 0.05; printf "o\\nthree" >&2'], { onStderrLine: (l) => lines.push(l) });
    expect(lines).toEqual(['one', 'two', 'three']);
  });
});

describe('display helpers', () => {
  it('quotes only what needs quoting', () => {
    expect(formatCommand('nix', ['build', '.#a', "it's"])).toBe("nix build .#a 'it'\\''s'");
  });

  it('prefers the error: line, else the last line', () => {
    expect(lastErrorLine('a\n\x1b[31;1merror:\x1b[0m bad\nb\n')).toBe('error: bad');
    expect(lastErrorLine('a\nb\n')).toBe('b');
  });
});
