import { formatBytes, formatDelta, formatPercent, parseSizeLimit } from './size';

describe('parseSizeLimit', () => {
  it.each([
    [1234, { kind: 'bytes', bytes: 1234 }],
    ['12GiB', { kind: 'bytes', bytes: 12 * 2 ** 30 }],
    ['500 MB', { kind: 'bytes', bytes: 500e6 }],
    ['1.5KiB', { kind: 'bytes', bytes: 1536 }],
    ['42', { kind: 'bytes', bytes: 42 }],
    ['7B', { kind: 'bytes', bytes: 7 }],
  ])('reads %j as bytes', (value, expected) => {
    expect(parseSizeLimit(value, 'budgets.maxSize', false)).toEqual(expected);
  });

  it('reads a percentage where one is allowed', () => {
    expect(parseSizeLimit('5%', 'budgets.maxGrowth', true)).toEqual({ kind: 'percent', percent: 5 });
  });

  it.each([['5%'], ['twelve'], ['12 parsecs'], [-1]])('refuses %j as a size, naming the setting', (value) => {
    expect(() => parseSizeLimit(value, '--maxSize', false)).toThrow(`--maxSize is ${JSON.stringify(value)}: expected bytes`);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [5 * 2 ** 20, '5.0 MiB'],
    [-2048, '-2.0 KiB'],
    [3 * 2 ** 30 + 2 ** 29, '3.5 GiB'],
  ])('formatBytes(%d) = %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('signs deltas and percentages', () => {
    expect(formatDelta(5 * 2 ** 20)).toBe('+5.0 MiB');
    expect(formatDelta(-10)).toBe('-10 B');
    expect(formatDelta(0)).toBe('±0 B');
    expect(formatPercent(50, 400)).toBe('+12.5%');
    expect(formatPercent(10, 0)).toBe('new');
  });
});
