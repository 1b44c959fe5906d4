import type { PackageChange } from './diff';
import { changeList, changeText } from './change-codes';
import { renderPlanTable } from '../deploy/plan-report';
import { countChanges } from './version';

const change = (kind: PackageChange['kind'], pname: string, before: string[], after: string[]): PackageChange => ({ kind, pname, before, after, sizeBefore: 0, sizeAfter: 0, sizeDelta: 0 });

describe('one vocabulary of package changes', () => {
  it.each([
    [change('changed', 'openssl', ['3.0.1'], ['3.0.2']), '↑openssl 3.0.1→3.0.2'],
    [change('changed', 'linux', ['6.6'], ['6.1']), '↓linux 6.6→6.1'],
    [change('changed', 'python', ['3.11', '3.12'], ['3.12']), '~python 3.11,3.12→3.12'],
    [change('added', 'blob', [], ['2.0']), '+blob 2.0'],
    [change('added', 'etc', [], ['']), '+etc'],
    [change('removed', 'old', ['0.9'], []), '-old 0.9'],
  ])('%j is %s', (c, text) => {
    expect(changeText(c)).toBe(text);
  });

  it('names the first three, then how many more', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((n) => change('added', n, [], ['1']));
    expect(changeList(many)).toBe('+a 1, +b 1, +c 1, +2 more');
    expect(changeList(many.slice(0, 3))).toBe('+a 1, +b 1, +c 1');
    expect(changeList([])).toBe('');
  });

  it('the plan fleet table names each host\'s changed packages with versions, under a legend', () => {
    const changes = [change('added', 'blob', [], ['2.0']), change('changed', 'app', ['1.0'], ['1.1'])];
    const text = renderPlanTable([
      { host: 'web1', status: 'changes', result: { host: 'web1', status: 'changes', outPath: '/x', changes, counts: countChanges(changes), growth: 10, closureSize: 100, copyPaths: 2, copyBytes: 2048, durationMs: 1, finishedAt: 1 } },
      { host: 'web2', status: 'unchanged', result: { host: 'web2', status: 'unchanged', outPath: '/y', changes: [], counts: countChanges([]), growth: 0, closureSize: 100, copyPaths: 0, copyBytes: 0, durationMs: 1, finishedAt: 1 } },
    ]);
    expect(text).toMatch(/web1\s+changes\s+↑1 ↓0 ~0 \+1 -0\s+\+10 B\s+2\.0 KiB \(2\)\s+\+blob 2\.0, ↑app 1\.0→1\.1/);
    expect(text.split('\n').at(-1)).toBe('packages ↑↓~+-: how many ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
  });
});
