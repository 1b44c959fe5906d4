import { checkBudgets, resolveBudgets } from './budget';
import { diffClosures } from './diff';

const MiB = 2 ** 20;
const path = (name: string) => `/nix/store/${'x'.repeat(32)}-${name}`;
const current = {
  host: 'ares',
  outPath: path('nixos-system-ares'),
  closureSize: 15 * MiB,
  pathCount: 2,
  paths: [
    { path: path('nixos-system-ares'), narSize: 10 * MiB },
    { path: path('blob-2.0'), narSize: 5 * MiB },
  ],
};

describe('budgets', () => {
  it('lets options override host.json and names the bad one', () => {
    expect(resolveBudgets({ maxSize: '1GiB', maxGrowth: '5%' }, { maxGrowth: 100 }, 'hosts/ares/host.json')).toEqual({
      maxSize: { kind: 'bytes', bytes: 2 ** 30 },
      maxGrowth: { kind: 'bytes', bytes: 100 },
    });
    expect(() => resolveBudgets({ maxSize: '5%' }, {}, 'hosts/ares/host.json')).toThrow('budgets.maxSize in hosts/ares/host.json is "5%"');
  });

  it('fails maxSize naming the figure and the biggest paths', () => {
    const [msg] = checkBudgets({ maxSize: { kind: 'bytes', bytes: 12 * MiB } }, { current, changes: [] });
    expect(msg).toContain('Budget maxSize exceeded for ares: closure is 15.0 MiB (15728640 bytes), budget 12.0 MiB.');
    expect(msg).toContain(`${path('nixos-system-ares')} (10.0 MiB)`);
  });

  it('fails maxGrowth naming the growth and the top contributors', () => {
    const before = [{ path: path('nixos-system-ares'), narSize: 10 * MiB }];
    const changes = diffClosures(before, current.paths);
    const baseline = { closureSize: 10 * MiB, label: 'hosts/ares/closure-baseline.json' };
    const [msg] = checkBudgets({ maxGrowth: { kind: 'percent', percent: 5 } }, { current, baseline, changes });
    expect(msg).toContain('Budget maxGrowth exceeded for ares: closure grew +5.0 MiB (+50.0%) against hosts/ares/closure-baseline.json, budget 5%.');
    expect(msg).toContain('blob + 2.0 (+5.0 MiB)');
    expect(checkBudgets({ maxGrowth: { kind: 'percent', percent: 50 } }, { current, baseline, changes })).toEqual([]);
  });
});
