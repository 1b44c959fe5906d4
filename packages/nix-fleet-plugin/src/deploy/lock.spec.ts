import { hostname } from 'node:os';
import { FakeTarget } from '../../testing/fake-target';
import { acquireLock, holderGone, lockOwner, parseHolder, processAlive, releaseLock } from './lock';
import { deployPlan } from './options';

describe('lock owners', () => {
  it('reads back what lockOwner writes', () => {
    const owner = lockOwner('dabc123', new Date('2026-12-02T10:00:00Z'));
    const holder = parseHolder(owner);
    expect(holder).toMatchObject({ token: 'dabc123', pid: process.pid });
    expect(holder.text).toMatch(/^\S+@\S+ pid \d+ since 2026-12-02T10:00:00.000Z$/);
  });

  it.each(['unknown', '', 'token=x', 'garbage by a@b pid x since y'])('keeps a foreign owner line %j as text', (line) => {
    expect(parseHolder(line).pid).toBeUndefined();
  });

  it.each([
    ['  token=d1 by alice@laptop pid 7 since 2026-12-02T10:00:00Z  ', { token: 'd1', machine: 'laptop', pid: 7, text: 'alice@laptop pid 7 since 2026-12-02T10:00:00Z' }],
    ['token=d1 somebody else', { token: 'd1', text: 'somebody else' }],
    ['token=d1 by alice@laptop pid 7 since', { token: 'd1', text: 'alice@laptop pid 7 since' }],
    ['token=d-1 by alice@laptop pid 7 since x', { token: undefined, text: 'alice@laptop pid 7 since x' }],
    ['mine token=d1 by alice@laptop pid 7 since x', { token: undefined, text: 'mine token=d1 by alice@laptop pid 7 since x' }],
    ['', { token: undefined, text: 'unknown' }],
  ])('reads the owner line %j', (line, holder) => {
    expect(parseHolder(line)).toEqual(holder);
  });

  it('knows whether a process of this machine runs', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(999999999)).toBe(false);
  });

  it('a holder on this machine without a pid is never provably gone', () => {
    expect(holderGone({ machine: 'laptop', text: 'alice@laptop' }, { decided: false, activating: false, watchdog: false }, 'laptop', () => false)).toBeUndefined();
  });

  const holder = parseHolder('token=t1 by alice@laptop pid 4242 since 2026-12-02T10:00:00Z');
  const idle = { decided: false, activating: false, watchdog: false };
  it.each([
    ['its deploy already decided on the target', { ...idle, decided: true }, 'server', true, 'its deploy had already finished on the target'],
    ['on this machine, process gone', idle, 'laptop', false, 'process 4242 no longer runs on laptop'],
    ['process gone, but its activation still runs on the target', { ...idle, activating: true }, 'laptop', false, undefined],
    ['process gone, but its watchdog is armed on the target', { ...idle, watchdog: true }, 'laptop', false, undefined],
    ['on this machine, process alive', idle, 'laptop', true, undefined],
    ['on another machine', idle, 'ci-runner', false, undefined],
  ])('%s', (_label, onTarget, here, alive, expected) => {
    expect(holderGone(holder, onTarget, here, () => alive)).toBe(expected);
  });
});

describe('acquireLock', () => {
  const plan = (breakLock?: 'stale' | 'force') => deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { breakLock }, {});
  // A holder on this machine whose process runs (this one): never provably gone.
  const alive = { fail: 75, stdout: `locked-by=token=dlive1 by me@${hostname()} pid ${process.pid} since x\n` };
  const dead = { fail: 75, stdout: `locked-by=token=ddead1 by me@${hostname()} pid 999999999 since x\n` };

  it('a held lock is refused without --breakLock, and nothing is broken', async () => {
    const t = new FakeTarget().on('lock', alive);
    await expect(acquireLock(t, plan(), 'token=dme by me@here pid 1 since now')).rejects.toThrow(/web1 is already being deployed .*--breakLock=stale/);
    expect(t.calls).toEqual(['lock']);
  });

  it('--breakLock=stale leaves a live holder\'s lock alone', async () => {
    const t = new FakeTarget().on('lock', alive);
    await expect(acquireLock(t, plan('stale'), 'token=dme by me@here pid 1 since now')).rejects.toThrow(/may still be deploying \(it is not provably gone\)/);
    expect(t.calls).toEqual(['lock']);
  });

  it('--breakLock=stale leaves a lock whose watchdog is armed on the target alone, even with its process gone', async () => {
    const t = new FakeTarget().on('lock', { ...dead, stdout: `${dead.stdout}watchdog=1\n` });
    await expect(acquireLock(t, plan('stale'), 'token=dme by me@here pid 1 since now')).rejects.toThrow(/its watchdog is armed/);
    expect(t.calls).toEqual(['lock']);
  });

  it('--breakLock=stale breaks a lock whose process is gone, by its token, then locks', async () => {
    const t = new FakeTarget().on('lock', dead).on('break-lock', { stdout: 'broken=1\n' });
    const lines: string[] = [];
    expect(await acquireLock(t, plan('stale'), 'token=dme by me@here pid 1 since now', (l) => lines.push(l))).toMatchObject({ profileLink: 'system-41-link' });
    expect(t.calls).toEqual(['lock', 'break-lock', 'lock']);
    expect(t.argvs[1].some((w) => w.includes('ddead1'))).toBe(true);
    expect(lines.join('\n')).toContain('process 999999999 no longer runs');
  });

  it('--breakLock=force breaks a live holder\'s lock', async () => {
    const t = new FakeTarget().on('lock', alive).on('break-lock', { stdout: 'broken=1\n' });
    await acquireLock(t, plan('force'), 'token=dme by me@here pid 1 since now');
    expect(t.calls).toEqual(['lock', 'break-lock', 'lock']);
  });
});

describe('acquireLock, what it says and reads', () => {
  const plan = (breakLock?: 'stale' | 'force') =>
    deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { breakLock, lockDir: '/run/fleet.lock', connectTimeout: 7 }, {});
  const held = (extra = '') => ({ fail: 75, stdout: `locked-by=token=dother by bob@ci-runner pid 12 since then\n${extra}` });
  const me = 'token=dme by me@here pid 1 since now';
  const failure = (t: FakeTarget, p = plan()) => acquireLock(t, p, me).then(() => ({}) as Record<string, unknown>, (e: unknown) => e as Record<string, unknown>);

  it('reads the state under the lock; what the target did not print is empty', async () => {
    const t = new FakeTarget().on('lock', { stdout: 'current=/nix/store/a-system\n' });
    expect(await acquireLock(t, plan(), me)).toEqual({ current: '/nix/store/a-system', profile: '', profileLink: '', maxGeneration: '' });
    expect(t.argvs[0]).toEqual(expect.arrayContaining(['lock_dir=/run/fleet.lock', `owner=${me}`]));
  });

  it('a held lock names the host, the lock, its holder and both ways out', async () => {
    expect(await failure(new FakeTarget().on('lock', held()))).toMatchObject({
      step: 'lock',
      message:
        'web1 is already being deployed (lock /run/fleet.lock on web1.lan held by bob@ci-runner pid 12 since then). ' +
        'Wait for that deploy; if it is gone, pass --breakLock=stale (removes it when its owner is provably gone) or --breakLock=force.',
    });
  });

  it('--breakLock=stale says what of the holder still acts on the target', async () => {
    const e = await failure(new FakeTarget().on('lock', held('activating=1\nwatchdog=1\n')), plan('stale'));
    expect(e.step).toBe('lock');
    expect(e.message).toBe(
      'web1: the lock /run/fleet.lock on web1.lan is held by bob@ci-runner pid 12 since then, which may still be deploying ' +
        '(it is not provably gone (on the target its activation still runs and its watchdog is armed)). ' +
        'Wait for it, or pass --breakLock=force to take its decision, stop its watchdog and activation, and deploy.',
    );
    const activating = await failure(new FakeTarget().on('lock', held('activating=1\n')), plan('stale'));
    expect(activating.message).toContain('(it is not provably gone (on the target its activation still runs)).');
  });

  it('--breakLock=stale breaks a lock whose deploy already decided on the target, wherever it ran', async () => {
    const t = new FakeTarget().on('lock', held('decided=1\n')).on('break-lock', { stdout: 'broken=1\n' });
    const lines: string[] = [];
    await acquireLock(t, plan('stale'), me, (l) => lines.push(l));
    expect(t.argvs[1]).toEqual(expect.arrayContaining(['lock_dir=/run/fleet.lock', 'token=dother']));
    expect(lines).toEqual(['web1: broke the lock /run/fleet.lock on web1.lan held by bob@ci-runner pid 12 since then (its deploy had already finished on the target)']);
  });

  it('--breakLock=force says it forced; a lock gone before the break is not reported as broken', async () => {
    const lines: string[] = [];
    await acquireLock(new FakeTarget().on('lock', held()).on('break-lock', { stdout: 'broken=1\n' }), plan('force'), me, (l) => lines.push(l));
    expect(lines).toEqual([expect.stringMatching(/held by bob@ci-runner pid 12 since then \(forced with --breakLock=force\)$/)]);
    const quiet: string[] = [];
    await acquireLock(new FakeTarget().on('lock', held()).on('break-lock', { stdout: 'broken=0\n' }), plan('force'), me, (l) => quiet.push(l));
    expect(quiet).toEqual([]);
  });

  it('a lock without an owner token is never broken, not even with force', async () => {
    const t = new FakeTarget().on('lock', { fail: 75, stdout: '' });
    expect(await failure(t, plan('force'))).toMatchObject({ step: 'lock', message: 'web1: the lock /run/fleet.lock on web1.lan has no owner token (unknown); remove it by hand if you are sure.' });
    expect(t.calls).toEqual(['lock']);
  });

  it('another deploy that took the lock between the break and the retry wins', async () => {
    const t = new FakeTarget().on('lock', held(), { fail: 75, stdout: 'locked-by=token=dthird by carol@desk pid 3 since now\n' }).on('break-lock', { stdout: 'broken=1\n' });
    expect(await failure(t, plan('force'))).toMatchObject({ step: 'lock', message: 'web1 is already being deployed (lock /run/fleet.lock on web1.lan held by carol@desk pid 3 since now).' });
  });

  it.each([
    ['lock', []],
    ['break-lock', [held()]],
  ] as const)('an unreachable host at %s is a lost connection of the connect step', async (step, before) => {
    const t = new FakeTarget().on('lock', ...before).on(step, { fail: 255, stderr: 'ssh: connect to host web1.lan port 22: No route to host' });
    expect(await failure(t, plan('force'))).toMatchObject({ step: 'connect', connectionLost: true, message: 'cannot reach web1.lan over ssh: ssh: connect to host web1.lan port 22: No route to host' });
  });

  it('a lock script that fails otherwise is a connect failure with its output, not a lost connection', async () => {
    const t = new FakeTarget().on('lock', { fail: 1, stderr: 'mkdir: Read-only file system' });
    expect(await failure(t)).toMatchObject({ step: 'connect', connectionLost: false, message: 'cannot reach web1.lan over ssh: mkdir: Read-only file system' });
  });

  it("gives each call more than ssh's connect timeout (7s here), within a minute", async () => {
    const seen: number[] = [];
    const t = new FakeTarget().on('lock', held()).on('break-lock', { stdout: 'broken=1\n' });
    const exec = t.exec.bind(t);
    t.exec = (argv, opts) => (seen.push(opts.timeoutMs), exec(argv, opts));
    await acquireLock(t, plan('force'), me);
    await releaseLock(t, plan(), 'dme');
    expect(seen).toHaveLength(4);
    for (const ms of seen) expect(ms > 7000 && ms <= 60000).toBe(true);
  });
});

describe('releaseLock', () => {
  const plan = deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, {}, {});

  it('sends our token, and an unreachable host is no error (the watchdog releases it)', async () => {
    const t = new FakeTarget().on('unlock', { fail: 255, stderr: 'Connection refused' });
    await expect(releaseLock(t, plan, 'dme')).resolves.toBeUndefined();
    expect(t.argvs[0].slice(-2)).toEqual(['lock_dir=/run/nix-fleet/deploy.lock', 'token=dme']);
  });
});
