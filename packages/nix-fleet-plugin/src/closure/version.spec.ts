// Version order: the cases builtins.compareVersions documents, and what a plan counts.
import { compareVersions, countChanges, directionOf } from './version';
import type { PackageChange } from './diff';

describe('compareVersions', () => {
  it.each([
    ['1.0', '2.3', -1],
    ['2.1', '2.3', -1],
    ['2.3', '2.3', 0],
    ['2.5', '2.3', 1],
    ['3.1', '2.3', 1],
    ['2.3.1', '2.3', 1],
    ['2.3.1', '2.3a', 1],
    ['2.3pre1', '2.3', -1],
    ['2.3', '2.3pre1', 1],
    ['2.3pre3', '2.3pre12', -1],
    ['2.3a', '2.3c', -1],
    ['2.3pre1', '2.3c', -1],
    ['2.3pre1', '2.3q', -1],
    ['120.0.1', '99.0', 1],
    ['20231201', '20240101', -1],
  ])('%s vs %s is %d', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
  });
});

const change = (kind: PackageChange['kind'], before: string[], after: string[]): PackageChange => ({
  kind,
  pname: 'p',
  before,
  after,
  sizeBefore: 0,
  sizeAfter: 0,
  sizeDelta: 0,
});

describe('directionOf and countChanges', () => {
  it('names up, down, several versions, added and removed', () => {
    const changes = [
      change('changed', ['1.0'], ['1.1']),
      change('changed', ['2.0'], ['1.9']),
      change('changed', ['1.0', '2.0'], ['2.0']),
      change('added', [], ['1.0']),
      change('removed', ['1.0'], []),
    ];
    expect(changes.map(directionOf)).toEqual(['upgraded', 'downgraded', 'changed', 'added', 'removed']);
    expect(countChanges(changes)).toEqual({ upgraded: 1, downgraded: 1, changed: 1, added: 1, removed: 1 });
  });
});
