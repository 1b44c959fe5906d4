// The ssh Target's pure parts and its runner: what counts as a lost connection, the words of a
// failure, the remote timeout around every argv, and the target's own timeout read as one.
import { CommandError } from '../process/run';
import { boundedRemote, isConnectionFailure, outputOf, runBounded, SSH_CONNECTION_FAILED } from './target';

const failed = (code: number | null, stdout = '', stderr = '', timedOut = false) => new CommandError('ssh', ['web1'], code, null, stdout, stderr, timedOut);

describe('target', () => {
  it.each([
    [failed(SSH_CONNECTION_FAILED), true],
    [failed(null, '', '', true), true],
    [failed(1), false],
    [failed(75), false],
    [new Error('x'), false],
  ])('isConnectionFailure(%#)', (e, lost) => expect(isConnectionFailure(e)).toBe(lost));

  it('keeps the last 8 non-empty lines of stdout and stderr', () => {
    const many = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
    expect(outputOf(failed(1, many, '  oops  \n\n'))).toBe(['line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'oops'].join('\n'));
    expect(outputOf(failed(1, '', '', true))).toBe('timed out');
    expect(outputOf(failed(1, 'late', '', true))).toBe('timed out:\nlate');
    expect(outputOf(new Error('plain'))).toBe('plain');
  });

  it('a command that could not start says so; a refused host key adds the fix after the output', () => {
    const enoent = Object.assign(new Error('spawn nix ENOENT'), { code: 'ENOENT' });
    expect(outputOf(new CommandError('nix', ['copy'], null, null, '', '', false, enoent))).toBe('nix copy could not start: spawn nix ENOENT ("nix" is not on PATH; install it first)');
    const refused = outputOf(failed(SSH_CONNECTION_FAILED, '', 'No ED25519 host key is known for web1 and you have requested strict checking.\nHost key verification failed.'));
    expect(refused.split('\n')).toEqual([
      'No ED25519 host key is known for web1 and you have requested strict checking.',
      'Host key verification failed.',
      expect.stringMatching(/^ssh does not know the host key of web1\. Fetch it/),
    ]);
  });

  it('bounds every remote argv by the target\'s own timeout, rounded up, the argv kept word for word', () => {
    const argv = ['sh', '-c', 'echo "$1"', 'x', "it's $(bad)"];
    const bounded = boundedRemote(argv, { timeoutMs: 2500 });
    expect(bounded.slice(-argv.length)).toEqual(argv);
    const seconds = (words: string[]) => words.slice(0, -argv.length).map((w) => w.replace(/^[a-z_]+=/, ''));
    expect(seconds(bounded)).toContain('3');
    expect(seconds(bounded)).not.toContain('2');
    expect(seconds(boundedRemote(argv, { timeoutMs: 60000, remoteSeconds: 7 }))).toContain('7');
  });

  it.each([124, 137])('reads the target\'s timeout exit %i as a timeout', async (code) => {
    await expect(runBounded('sh', ['-c', `exit ${code}`], { timeoutMs: 10000 })).rejects.toMatchObject({ timedOut: true, code });
  });

  it('another exit stays what it was', async () => {
    await expect(runBounded('sh', ['-c', 'echo no >&2; exit 3'], { timeoutMs: 10000 })).rejects.toMatchObject({ timedOut: false, code: 3 });
    expect((await runBounded('sh', ['-c', 'echo ok'], { timeoutMs: 10000 })).stdout).toBe('ok\n');
  });
});
