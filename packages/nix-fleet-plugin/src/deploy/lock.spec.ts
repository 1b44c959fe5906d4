import { hostname } from 'node:os';
import { FakeTarget } from '../../testing/fake-target';
import { acquireLock, holderGone, lockOwner, parseHolder } from './lock';
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
