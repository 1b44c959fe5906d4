import { CommandError, formatCommand, lastErrorLine, run } from './run';

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
