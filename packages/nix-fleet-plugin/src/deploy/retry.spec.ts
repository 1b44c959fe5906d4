import { retryUntil } from './retry';

describe('retryUntil', () => {
  it('returns the first success, retrying retryable errors', async () => {
    let n = 0;
    const seen: unknown[] = [];
    const result = await retryUntil(Date.now() + 5000, async () => (++n < 3 ? Promise.reject(new Error(`try ${n}`)) : 'ok'), {
      retryable: () => true,
      onRetry: (e) => seen.push((e as Error).message),
      intervalMs: 10,
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['try 1', 'try 2']);
  });

  it('stops at once on an error retrying cannot fix', async () => {
    let n = 0;
    const attempt = async () => {
      n++;
      throw new Error('fatal');
    };
    await expect(retryUntil(Date.now() + 5000, attempt, { retryable: () => false, intervalMs: 10 })).rejects.toThrow('fatal');
    expect(n).toBe(1);
  });

  it('gives up with the last error when the next try would start past the deadline', async () => {
    let n = 0;
    const started = Date.now();
    const attempt = async () => {
      throw new Error(`lost ${++n}`);
    };
    await expect(retryUntil(started + 250, attempt, { retryable: () => true, intervalMs: 100 })).rejects.toThrow(/lost [23]/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('tries once even when the deadline has passed', async () => {
    await expect(retryUntil(0, async () => 'once', { retryable: () => true })).resolves.toBe('once');
  });

  it('a try that would start exactly at the deadline still runs', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      let n = 0;
      const attempt = async () => (++n < 2 ? Promise.reject(new Error('starting')) : 'up');
      await expect(retryUntil(1_000_010, attempt, { retryable: () => true, intervalMs: 10 })).resolves.toBe('up');
      expect(n).toBe(2);
    } finally {
      now.mockRestore();
    }
  });
});
