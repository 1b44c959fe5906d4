import { holderGone, lockOwner, parseHolder } from './lock';

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
