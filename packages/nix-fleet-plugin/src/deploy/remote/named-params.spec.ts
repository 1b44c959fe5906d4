// Values reach the remote scripts as NAME=VALUE words and are only ever assigned, never evaluated:
// hostile values arrive whole in every shell, and a wrong word is refused by name.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRemoteHost, SHELLS } from '../../../testing/fake-remote-host';
import { boundedArgv, commitArgv, followArgv, lockAndReadArgv, rollbackArgv, activateArgv, unlockArgv } from '../remote-scripts';

// Each would leave a file named pwned* behind if a shell evaluated it.
const HOSTILE = `-x 'q' "d" $(touch pwned1) \`touch pwned2\` $HOME \\ [*] ;&| =\nline`;
const OWNER = `-e token=t1 by $(touch pwned3) \`touch pwned4\` 'q' "d" a=b\nsecond line`;

/** Every file under dir whose name starts with pwned. */
const pwned = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf-8' }).filter((p) => p.split('/').at(-1)?.startsWith('pwned'));

describe.each(SHELLS)('in %s', (shell) => {
  let root: string;
  let host: FakeRemoteHost;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nix-fleet-params-'));
    mkdirSync(join(root, HOSTILE));
    host = new FakeRemoteHost(join(root, HOSTILE), shell);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs in that shell, and so does what the scripts start with sh -c', () => {
    // ": " after it: bash runs a last command in place of itself (exec), and would report readlink.
    const exe = host.run(['sh', '-c', "sh -c 'readlink /proc/$$/exe; :'"]).out.trim();
    expect(exe).toBe(realpathSync(join(host.bin, 'sh')));
    expect(exe).toMatch(shell === 'sh' ? /\/(dash|bash|busybox)$/ : new RegExp(`/${shell.split(' ')[0].split('/').at(-1)}$`));
  });

  it('a deploy and its rollback on a host whose paths hold quotes, $(), backticks, a newline and a leading -', () => {
    const [A, B] = [host.system('a'), host.system('b')];
    host.install([A, B], 2, A);
    const F = host.system('f', true);
    const c = host.context(F, 'switch');
    expect(host.run(activateArgv(c, 30)).out.trim().split('\n').at(-1)).toBe('nix-fleet-activation=1');
    expect(host.run(rollbackArgv(c))).toMatchObject({ code: 0 });
    expect(host.nixEnvCalls()).toEqual([['--set', F], ['--switch-generation', '2'], ['--delete-generations', '3']]);
    expect(host.switchCalls()).toEqual([[F, 'switch'], [A, 'test'], [B, 'boot']]);
    expect(host.state()).toEqual({ current: A, link: 'profile-2-link', system: B, generations: { '1': A, '2': B }, boot: B });
    expect(readFileSync(join(c.runDir, 'system'), 'utf-8')).toBe(`${F}\n`);
    expect(pwned(root)).toEqual([]);
    expect(readdirSync(host.cwd)).toEqual([]);
  });

  it('the lock keeps an owner line with quotes, $(), backticks, "=", a newline and a leading - whole', () => {
    const lock = join(host.dir, 'state', 'deploy.lock');
    const state = join(host.dir, 'state');
    expect(host.run(lockAndReadArgv(lock, OWNER, host.current, host.profile, state))).toMatchObject({ code: 0 });
    expect(readFileSync(join(lock, 'owner'), 'utf-8')).toBe(`${OWNER}\n`);
    expect(host.run(lockAndReadArgv(lock, 'token=t2 by bob', host.current, host.profile, state))).toMatchObject({ code: 75, out: `locked-by=${OWNER}\n` });
    expect(pwned(root)).toEqual([]);
  });

  it('a bounded command gets its argv as sent, words that look like parameters and "--" included', () => {
    const argv = ['printf', '[%s]', '-x', '$(touch pwned5)', 'seconds=1', '--', HOSTILE];
    expect(host.run(boundedArgv(5, argv))).toMatchObject({ code: 0, out: argv.slice(2).map((a) => `[${a}]`).join('') });
    expect(pwned(root)).toEqual([]);
  });

  it('refuses a name it does not take, a missing one, and a number that is not one', () => {
    const unknown = host.run([...unlockArgv('/nonexistent/lock', 'tok'), 'bogus=$(touch pwned6)']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.err).toContain('takes no parameter "bogus"');
    const c = host.context(host.system('n'), 'switch');
    const noMode = host.run(commitArgv(c).filter((w) => !w.startsWith('mode=')));
    expect(noMode.code).not.toBe(0);
    expect(noMode.err).toContain('mode');
    // bash (NixOS's sh) evaluates a variable in $((...)) as an expression, $(...) in a subscript included.
    const follow = followArgv(host.dir, 0, 1).map((w) => (w.startsWith('seconds=') ? 'seconds=a[$(touch pwned7)]' : w));
    const r = host.run(follow);
    expect(r).toMatchObject({ code: 2 });
    expect(r.err).toContain('seconds needs a whole number, not "a[$(touch pwned7)]"');
    expect(pwned(root)).toEqual([]);
  });

  // An empty path would be read as "." or "/": lock-and-read reported a lock held by "unknown".
  it.each([
    ['lock_dir', 'lock-and-read', () => lockAndReadArgv('', 'token=t1 by x', host.current, host.profile, join(host.dir, 'state'))],
    ['state_dir', 'lock-and-read', () => lockAndReadArgv(join(host.dir, 'lock'), 'token=t1 by x', host.current, host.profile, '')],
    ['token', 'unlock', () => unlockArgv(join(host.dir, 'lock'), '')],
    ['run_dir', 'commit', () => commitArgv(host.context(host.system('n'), 'test', { runDir: '' }))],
    ['run_dir', 'follow', () => followArgv('', 0, 1)],
  ])('an empty %s is refused by %s', (name, _script, argv) => {
    const r = host.run(argv());
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain(`${name} needs a value`);
    expect(readdirSync(host.dir).filter((f) => f === 'state' || f === 'lock')).toEqual([]);
  });

  // No word of ours comes twice: a second one would win unseen over the first (the last assignment).
  it.each([
    ['commit', () => [...commitArgv(host.context(host.system('n'), 'test')), 'mode=switch'], 'mode'],
    ['activate', () => [...activateArgv(host.context(host.system('n'), 'test'), 30), 'follow_seconds=1'], 'follow_seconds'],
    ['rollback', () => [...rollbackArgv(host.context(host.system('n'), 'test')), 'rollback_script=true'], 'rollback_script'],
    ['unlock', () => [...unlockArgv(join(host.dir, 'lock'), 't1'), 'lock_dir=/'], 'lock_dir'],
    ['bounded', () => { const b = boundedArgv(5, ['true']); return [...b.slice(0, 5), 'seconds=1', ...b.slice(5)]; }, 'seconds'],
  ])('%s refuses a name given twice, before it acts', (_name, argv, name) => {
    const r = host.run(argv());
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toContain(`takes "${name}" once, not twice`);
    expect(readdirSync(host.dir).filter((f) => f === 'state' || f === 'lock')).toEqual([]);
  });

  it('a value holding " NAME=VALUE" or a newline and NAME=VALUE stays one value', () => {
    const lock = join(host.dir, 'lock');
    const owner = `token=t1 by x keep=0\nkeep=0 lock_dir=/`;
    expect(host.run(lockAndReadArgv(lock, owner, host.current, host.profile, join(host.dir, 'state')))).toMatchObject({ code: 0 });
    expect(readFileSync(join(lock, 'owner'), 'utf-8')).toBe(`${owner}\n`);
  });

  // 010 is octal in $((...)) (8 in every shell), 08 an error in bash and dash, and 20 digits wrap
  // around in bash: a number is decimal digits without a leading 0, at most 15 of them.
  it.each(['010', '08', '00', '99999999999999999999', '1234567890123456', '1e3', '-1', ' 1', '1 ', '', '+1', '0x10'])(
    'refuses the number %j before any arithmetic',
    (bad) => {
      const r = host.run(followArgv(join(host.dir, 'none'), 0, 1).map((w) => (w.startsWith('seconds=') ? `seconds=${bad}` : w)));
      expect(r).toMatchObject({ code: 2, out: '' });
      expect(r.err).toContain(bad === '' ? 'seconds needs a value' : `seconds needs a whole number, not "${bad}"`);
    },
  );

  it.each(['0', '7', '123456789012345'])('takes the number %s', (ok) => {
    const r = host.run(followArgv(join(host.dir, 'none'), 0, 1).map((w) => (w.startsWith('seconds=') ? `seconds=${ok}` : w)));
    expect(r).toMatchObject({ code: 0, out: '\nnix-fleet-activation=missing\n' });
  });
});
