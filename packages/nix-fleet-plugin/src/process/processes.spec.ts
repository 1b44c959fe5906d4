import { spawnSync } from 'node:child_process';
import { processIsAlive, processStartToken, sleep } from './processes';

describe('other processes', () => {
  it('this process is alive; one that ended is not; pid 1 is (EPERM, when it is another user\'s, still means alive)', () => {
    const ended = spawnSync('true').pid;
    expect(processIsAlive(process.pid)).toBe(true);
    expect(processIsAlive(ended)).toBe(false);
    expect(processIsAlive(1)).toBe(true);
  });

  it.each([[0], [-1], [Number.NaN], [1.5]])('%p names no process (0 and negatives would signal a group)', (pid) => {
    expect(processIsAlive(pid)).toBe(false);
  });

  it('a start token is the same on every look and differs between processes', () => {
    expect(processStartToken(process.pid)).toBe(processStartToken(process.pid));
    expect(processStartToken(process.pid)).not.toBe(processStartToken(1));
    expect(processStartToken(process.pid)).toMatch(/^\w+$/);
  });

  it('a pid with no process (no /proc entry) still gets a token, one no live process has', () => {
    const ended = spawnSync('true').pid;
    expect(processStartToken(ended)).toMatch(/^[0-9a-f]{12}$/);
    expect(processStartToken(ended)).toBe(processStartToken(ended));
    expect(processStartToken(ended)).not.toBe(processStartToken(process.pid));
  });

  it('sleep waits at least as long as asked', async () => {
    const t = Date.now();
    await sleep(30);
    expect(Date.now() - t).toBeGreaterThanOrEqual(29);
  });
});
