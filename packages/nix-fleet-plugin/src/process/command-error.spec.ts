import { abortReason, AbortedError, CommandError, firstLine, formatCommand, lastErrorLine } from './command-error';

const enoent = Object.assign(new Error('spawn nixx ENOENT'), { code: 'ENOENT' });
const eacces = Object.assign(new Error('spawn ./tool EACCES'), { code: 'EACCES' });

describe('CommandError', () => {
  it.each([
    [{ code: 3, stderr: 'building...\nerror: attribute missing\n' }, "nix build '.#a b' exited with code 3: error: attribute missing"],
    [{ code: 1, stderr: '' }, "nix build '.#a b' exited with code 1"],
    [{ code: null, signal: 'SIGKILL' as const, stderr: 'killed\n' }, "nix build '.#a b' was killed by SIGKILL: killed"],
    // A timed-out command says so, whatever it printed and however it ended.
    [{ code: null, signal: 'SIGTERM' as const, stderr: 'error: still going', timedOut: true }, "nix build '.#a b' timed out"],
    [{ code: null, spawnError: enoent }, `nix build '.#a b' could not start: spawn nixx ENOENT ("nix" is not on PATH; install it first)`],
    // Not found is the only failure to start that PATH explains.
    [{ code: null, spawnError: eacces }, "nix build '.#a b' could not start: spawn ./tool EACCES"],
  ])('its message names the command and why it failed: %j', (how, message) => {
    const e = new CommandError('nix', ['build', '.#a b'], how.code, 'signal' in how ? how.signal : null, 'out', 'stderr' in how ? how.stderr : '', 'timedOut' in how, 'spawnError' in how ? how.spawnError : undefined);
    expect(e.message).toBe(message);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CommandError');
  });

  it('keeps what the command printed, and gives its reason: the error line, else the message', () => {
    const failed = new CommandError('ssh', ['web1'], 255, null, 'partial', 'debug1: x\nssh: connect to host web1 port 22: Connection refused\n', false);
    expect(failed).toMatchObject({ command: 'ssh', args: ['web1'], code: 255, stdout: 'partial', timedOut: false });
    expect(failed.reason).toBe('ssh: connect to host web1 port 22: Connection refused');
    const silent = new CommandError('ssh', ['web1'], null, null, '', '', true);
    expect(silent.reason).toBe('ssh web1 timed out');
  });
});

describe('AbortedError and abortReason', () => {
  it('names the command and what stopped it', () => {
    const e = new AbortedError('nix', ['build', 'a b'], 'SIGINT');
    expect(e.message).toBe("nix build 'a b' was stopped: SIGINT");
    expect(e.name).toBe('AbortedError');
    expect(e).toMatchObject({ command: 'nix', args: ['build', 'a b'], why: 'SIGINT' });
  });

  it('reads a reason given as a string, and says "aborted" for any other', () => {
    const named = new AbortController();
    named.abort('SIGTERM');
    expect(abortReason(named.signal)).toBe('SIGTERM');
    const plain = new AbortController();
    plain.abort();
    expect(abortReason(plain.signal)).toBe('aborted');
    const withError = new AbortController();
    withError.abort(new Error('nx went away'));
    expect(abortReason(withError.signal)).toBe('aborted');
  });
});

describe('lastErrorLine', () => {
  it.each([
    // The first error: line wins over later lines, and over a later error: line (Nix's trace follows its cause).
    ['warning: a\nerror: first\n  at x\nerror: second\ndone\n', 'error: first'],
    ['  \x1b[31;1merror:\x1b[0m colored and indented  \n', 'error: colored and indented'],
    ['one\ntwo\n\n  \n', 'two'],
    ['only\x1b[0m', 'only'],
    ['', undefined],
    ['\n \n\t\n', undefined],
  ])('%j -> %j', (stderr, line) => {
    expect(lastErrorLine(stderr)).toBe(line);
  });
});

describe('firstLine', () => {
  it.each([
    [undefined, Infinity, ''],
    ['', Infinity, ''],
    ['\n   \nfirst  \nsecond', Infinity, 'first  '],
    ['abcdef\nx', 3, 'abc'],
    ['abc', 3, 'abc'],
    ['abc', 0, ''],
  ])('%j cut at %d -> %j', (text, max, line) => {
    expect(firstLine(text, max)).toBe(line);
  });

  it('keeps the whole line when no limit is given', () => {
    expect(firstLine(`${'x'.repeat(500)}\ny`)).toBe('x'.repeat(500));
  });
});

describe('formatCommand', () => {
  it('shows the command as a shell would need it, for a person to copy', () => {
    expect(formatCommand('ssh', ['-o', 'ConnectTimeout=5', '--', 'web1', "echo 'hi there'"])).toBe(`ssh -o ConnectTimeout=5 -- web1 'echo '\\''hi there'\\'''`);
    expect(formatCommand('true', [])).toBe('true');
  });
});
