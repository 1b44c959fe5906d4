import { diffClosures, topGrowth } from './diff';

const p = (hash: string, name: string, narSize: number) => ({ path: `/nix/store/${hash.padEnd(32, '0')}-${name}`, narSize });

describe('diffClosures', () => {
  const before = [p('a1', 'nixos-system-ares', 500), p('b1', 'editor-1.0', 1000), p('c1', 'old-tool-2.0', 300), p('d1', 'same-3.1', 50)];
  const after = [p('a2', 'nixos-system-ares', 520), p('b2', 'editor-1.1', 1500), p('e1', 'big-data-0.1', 5242880), p('d2', 'same-3.1', 60)];

  it('lists version changes, additions and removals with size deltas, as nvd does', () => {
    expect(diffClosures(before, after)).toEqual([
      { kind: 'changed', pname: 'editor', before: ['1.0'], after: ['1.1'], sizeBefore: 1000, sizeAfter: 1500, sizeDelta: 500 },
      { kind: 'added', pname: 'big-data', before: [], after: ['0.1'], sizeBefore: 0, sizeAfter: 5242880, sizeDelta: 5242880 },
      { kind: 'removed', pname: 'old-tool', before: ['2.0'], after: [], sizeBefore: 300, sizeAfter: 0, sizeDelta: -300 },
    ]);
  });

  it('ranks the growth contributors', () => {
    expect(topGrowth(diffClosures(before, after), 1).map((c) => c.pname)).toEqual(['big-data']);
  });

  it('is empty for the same closure', () => {
    expect(diffClosures(before, before)).toEqual([]);
  });
});
