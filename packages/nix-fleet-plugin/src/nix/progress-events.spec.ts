// ProgressReporter on hand-written nix events: each kind of activity and result, the counts
// that go with them, colours stripped, and the first error kept.
import { ProgressReporter } from './progress';

const drv = (name: string) => `/nix/store/${'0'.repeat(32)}-${name}.drv`;
const path = (name: string) => `/nix/store/${'1'.repeat(32)}-${name}`;

function feed(...events: Array<Record<string, unknown> | string>): { lines: string[]; p: ProgressReporter } {
  const lines: string[] = [];
  const p = new ProgressReporter('web1', (l) => lines.push(l));
  for (const e of events) p.line(typeof e === 'string' ? e : `@nix ${JSON.stringify(e)}`);
  return { lines, p };
}

describe('ProgressReporter events', () => {
  it('counts builds, names the builder, and sums up once when the builds stop', () => {
    const { lines } = feed(
      { action: 'start', id: 1, type: 104 },
      { action: 'start', id: 2, type: 105, fields: [drv('a-1.0'), 'ssh://b1'] },
      { action: 'result', id: 1, type: 105, fields: [0, 3, 1, 0] },
      { action: 'result', id: 9, type: 105, fields: [7, 9, 0, 0] },
      { action: 'start', id: 3, type: 105, fields: [drv('b-2.0'), ''] },
      { action: 'result', id: 1, type: 105, fields: [2, 3, 2, 0] },
      { action: 'start', id: 4, type: 105, fields: [drv('c-3.0')] },
      { action: 'result', id: 1, type: 105, fields: [2, 3, 0, 1] },
      { action: 'stop', id: 2 },
      { action: 'stop', id: 1 },
      { action: 'stop', id: 1 },
    );
    expect(lines).toEqual([
      'web1: building a-1.0 on ssh://b1',
      'web1: building b-2.0 (2 of 3)',
      'web1: building c-3.0 (3 of 3)',
      'web1: built 2 of 3 derivations, 1 failed',
    ]);
  });

  it('counts only progress results, and sums up only when the builds stop', () => {
    const { lines } = feed(
      { action: 'start', id: 1, type: 104 },
      { action: 'start', id: 5, type: 103 },
      { action: 'result', id: 1, type: 105, fields: [0, 2, 0, 0] },
      { action: 'result', id: 5, type: 105, fields: [0, 2, 0, 0] },
      // resSetExpected: the activity type and a count, not progress.
      { action: 'result', id: 1, type: 106, fields: [105, 9] },
      { action: 'result', id: 5, type: 106, fields: [100, 7] },
      { action: 'result', id: 9, type: 105, fields: [0, 5, 0, 0] },
      { action: 'start', id: 2, type: 105, fields: [drv('my.drvtool-1.0')] },
      { action: 'start', id: 6, type: 100, fields: [path('app-1.0')] },
      { action: 'setPhase', id: 1 },
      { action: 'result', id: 1, type: 105, fields: [2, 2, 0, 0] },
      { action: 'stop', id: 1 },
    );
    expect(lines).toEqual(['web1: building my.drvtool-1.0 (1 of 2)', 'web1: copying app-1.0 (1 of 2)', 'web1: built 2 of 2 derivations']);
  });

  it('says "derivation" for one, and nothing when no build was expected', () => {
    expect(feed({ action: 'start', id: 1, type: 104 }, { action: 'result', id: 1, type: 105, fields: [1, 1, 0, 0] }, { action: 'stop', id: 1 }).lines).toEqual([
      'web1: built 1 of 1 derivation',
    ]);
    expect(feed({ action: 'start', id: 1, type: 104 }, { action: 'stop', id: 1 }).lines).toEqual([]);
  });

  it('counts copies against what nix expects, and names substitutes and their cache', () => {
    const { lines } = feed(
      { action: 'start', id: 5, type: 103, text: '\x1b[1mcopying 2 paths\x1b[0m' },
      { action: 'result', id: 5, type: 105, fields: [0, 2, 0, 0] },
      { action: 'start', id: 6, type: 100, fields: [path('app-1.0'), 'local', 'ssh-ng://web1'] },
      { action: 'start', id: 7, type: 100, fields: [path('lib-2.0.drv'), 'local'] },
      { action: 'start', id: 8, type: 108, fields: [path('glibc-2.35'), 'https://cache.nixos.org'] },
      { action: 'start', id: 9, type: 103 },
    );
    expect(lines).toEqual([
      'web1: copying 2 paths',
      'web1: copying app-1.0 to ssh-ng://web1 (1 of 2)',
      'web1: copying lib-2.0 (2 of 2)',
      'web1: fetching glibc-2.35 from https://cache.nixos.org',
    ]);
  });

  it('shows other activities at info level or above, without colours', () => {
    const { lines } = feed(
      { action: 'start', id: 1, type: 0, level: 3, text: '\x1b[35;1mevaluating\x1b[K derivation' },
      { action: 'start', id: 2, type: 0, level: 0, text: 'querying' },
      { action: 'start', id: 3, type: 0, level: 4, text: 'talkative' },
      { action: 'start', id: 4, type: 0, text: 'no level' },
      { action: 'start', id: 5, type: 0, level: 3 },
    );
    expect(lines).toEqual(['web1: evaluating derivation', 'web1: querying']);
  });

  it('prefixes build log lines, of the build and of its post-build hook, without colours', () => {
    const { lines } = feed(
      { action: 'result', id: 2, type: 101, fields: ['\x1b[32;1mok\x1b[0m 12 tests'] },
      { action: 'result', id: 2, type: 107, fields: ['signed'] },
      { action: 'result', id: 2, type: 104, fields: ['not a log line'] },
      '\x1b[31;1mwarning:\x1b[0m plain',
      '   ',
    );
    expect(lines).toEqual(['web1> ok 12 tests', 'web1> signed', 'web1: warning: plain']);
  });

  it('writes messages up to info level line by line, and keeps the first error without its prefix or colours', () => {
    const { lines, p } = feed(
      { action: 'msg', level: 5, msg: 'debug noise' },
      { action: 'msg', level: 0, msg: '\x1b[31;1merror:\x1b[0m attribute missing\n\n       at flake.nix:3:5\n', raw_msg: '\x1b[1mattribute\x1b[0m missing\nmore' },
      { action: 'msg', level: 0, msg: 'error: second failure' },
      { action: 'msg', level: 3, msg: '   ' },
      { action: 'msg', level: 3, msg: 'info: copying' },
      { action: 'msg', msg: 'error: no level' },
    );
    expect(lines).toEqual(['web1: error: attribute missing', 'web1: ', 'web1:        at flake.nix:3:5', 'web1: error: second failure', 'web1: info: copying', 'web1: error: no level']);
    expect(p.firstError).toBe('attribute missing');
    expect(feed({ action: 'msg', level: 0, msg: '\x1b[31;1merror:\x1b[0m only msg\nat line 2' }).p.firstError).toBe('only msg');
    expect(feed({ action: 'msg', level: 1, msg: 'error: a warning level' }).p.firstError).toBeUndefined();
    expect(feed({ action: 'msg', level: 0, msg: 'cannot build: error: nested' }).p.firstError).toBe('cannot build: error: nested');
  });
});
