// What a person reads of --mode=plan: one host's text, the fleet table, its counts and plan.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PackageChange } from '../closure/diff';
import { countChanges } from '../closure/version';
import type { PlanResult } from './plan';
import { planCounts, renderPlan, renderPlanTable, reportPlans, type PlanRow } from './plan-report';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const OLD = '/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-web1';
const change = (pname: string, before: string[], after: string[], sizeDelta = 0): PackageChange => ({
  kind: before.length === 0 ? 'added' : after.length === 0 ? 'removed' : 'changed',
  pname,
  before,
  after,
  sizeBefore: 0,
  sizeAfter: 0,
  sizeDelta,
});
const plan = (over: Partial<PlanResult>): PlanResult => ({
  host: 'web1',
  status: 'changes',
  outPath: NEW,
  current: OLD,
  changes: [],
  counts: countChanges([]),
  growth: 0,
  closureSize: 3 * 1024 * 1024,
  copyPaths: 1,
  copyBytes: 2048,
  durationMs: 5,
  finishedAt: 1,
  ...over,
});
/** Where a cell of a host's row ends in the table: equal for the rows of a right-aligned column. */
const cellEnd = (text: string, host: string, cell: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${host} `)) ?? '';
  return line.indexOf(cell) + cell.length;
};
/** The table's row of a host, its cells split on the two-space column gaps. */
const row = (text: string, host: string) => text.split('\n').find((l) => l.startsWith(`${host} `))?.split(/\s{2,}/);

describe('renderPlan', () => {
  it.each(['unreachable', 'failed'] as const)('a host that was not planned (%s) says why, in one line', (status) => {
    expect(renderPlan(plan({ status, message: 'cannot reach web1.lan over ssh: timeout' }))).toBe(`web1: not planned (${status}): cannot reach web1.lan over ssh: timeout`);
  });

  it('a host with no package change still shows what it would copy and no package table', () => {
    const text = renderPlan(plan({ copyPaths: 1, copyBytes: 2048, growth: -512 }));
    expect(text.split('\n')).toEqual([
      `web1: a deploy would change ${OLD}`,
      `  to ${NEW}`,
      '  packages  ↑0 ↓0 ~0 +0 -0',
      '  closure   -512 B (3.0 MiB in all)',
      '  to copy   1 path, 2.0 KiB',
    ]);
  });

  it('a host that runs no system yet says so; missing copy figures count as nothing', () => {
    const text = renderPlan(plan({ current: '', copyPaths: undefined, copyBytes: undefined, growth: undefined }));
    expect(text).toContain('web1: a deploy would change (no system yet)\n');
    expect(text).toContain('  closure   ±0 B (');
    expect(text).toContain('  to copy   0 paths, 0 B');
  });

  it('lists each changed package with its versions and size change, under the key', () => {
    const changes = [change('app', ['1.0'], ['1.1'], 2048), change('oldlib', ['0.9'], [], -100)];
    const lines = renderPlan(plan({ changes, counts: countChanges(changes) })).split('\n');
    expect(lines.slice(5, 7)).toEqual(['', expect.stringMatching(/^\s+package\s+version\s+size$/)]);
    expect(lines.find((l) => l.includes('app'))).toMatch(/^↑\s+app\s+1\.0 -> 1\.1\s+\+2\.0 KiB$/);
    expect(lines.find((l) => l.includes('oldlib'))).toMatch(/^-\s+oldlib\s+- 0\.9\s+-100 B$/);
    // Sizes are right-aligned: both rows end where the column does.
    expect(lines.find((l) => l.includes('app'))?.length).toBe(lines.find((l) => l.includes('oldlib'))?.length);
    expect(lines.at(-1)).toBe('  ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
  });

  it('a system built on the host: packages and closure are unknown here, the copy counts derivations', () => {
    const text = renderPlan(plan({ builtOnTarget: true, current: '', copyPaths: 2, copyBytes: 4096 }));
    expect(text.split('\n')).toEqual([
      'web1: a deploy would change (no system yet)',
      `  to ${NEW}, built on the host itself (deployment.buildOn: remote)`,
      '  packages  known after the build on the host (the system is never built here)',
      '  closure   known after the build on the host',
      '  to copy   2 derivation paths, 4.0 KiB (nix copy --derivation; the host builds or fetches the rest)',
    ]);
    expect(renderPlan(plan({ builtOnTarget: true, copyPaths: undefined, copyBytes: undefined }))).toContain('  to copy   0 derivation paths, 0 B (');
  });

  it('an unchanged host built on the host is still unchanged', () => {
    expect(renderPlan(plan({ status: 'unchanged', builtOnTarget: true }))).toBe(`web1: unchanged, already running ${NEW}; nothing to copy`);
  });
});

describe('renderPlanTable', () => {
  it('one row per host: planned, built on the host, not planned, failed before planning', () => {
    const changes = [change('blob', [], ['2.0'])];
    const rows: PlanRow[] = [
      { host: 'a', status: 'changes', result: plan({ host: 'a', changes, counts: countChanges(changes), growth: 10, copyPaths: 2 }) },
      { host: 'b', status: 'changes', result: plan({ host: 'b', builtOnTarget: true, copyPaths: 3, copyBytes: 1024 }) },
      { host: 'c', status: 'unreachable', result: plan({ host: 'c', status: 'unreachable', message: `cannot reach c\n${'x'.repeat(200)}` }) },
      { host: 'd', status: 'failed', step: 'build', reason: 'e'.repeat(150) },
      { host: 'e', status: 'skipped' },
      { host: 'g', status: 'failed', step: 'eval' },
      { host: 'f', status: 'unchanged', result: plan({ host: 'f', status: 'unchanged', builtOnTarget: true, copyPaths: 0, copyBytes: 0 }) },
    ];
    const text = renderPlanTable(rows);
    expect(row(text, 'a')).toEqual(['a', 'changes', '↑0 ↓0 ~0 +1 -0', '+10 B', '2.0 KiB (2)', '+blob 2.0']);
    expect(row(text, 'b')).toEqual(['b', 'changes', '?', '?', '1.0 KiB (3 drv)', 'builds on the host: packages and closure known after the build there']);
    expect(row(text, 'c')).toEqual(['c', 'unreachable', '-', '-', '-', 'cannot reach c']);
    expect(row(text, 'd')).toEqual(['d', 'failed at build', '-', '-', '-', 'e'.repeat(100)]);
    expect(row(text, 'e')).toEqual(['e', 'skipped', '-', '-', '-']);
    expect(row(text, 'g')).toEqual(['g', 'failed at eval', '-', '-', '-']);
    expect(row(text, 'f')).toEqual(['f', 'unchanged', '↑0 ↓0 ~0 +0 -0', '±0 B', '0 B (0)']);
    expect(cellEnd(text, 'a', '+10 B')).toBe(cellEnd(text, 'f', '±0 B'));
    expect(text.split('\n')[0]).toMatch(/^host\s+plan\s+packages ↑↓~\+-\s+closure\s+to copy\s+changes \/ detail$/);
  });

  it('a message longer than a cell is cut at 100 characters', () => {
    const text = renderPlanTable([{ host: 'c', status: 'failed', result: plan({ host: 'c', status: 'failed', message: 'm'.repeat(150) }) }]);
    expect(row(text, 'c')?.at(-1)).toBe('m'.repeat(100));
  });
});

describe('reportPlans', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-plan-report-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('counts every status, keeps any other status Nx gave, and sums what would be copied', () => {
    const rows: PlanRow[] = [
      { host: 'a', status: 'changes', result: plan({ host: 'a', copyBytes: 3000 }) },
      { host: 'b', status: 'changes', result: plan({ host: 'b', copyBytes: undefined }) },
      { host: 'c', status: 'skipped' },
      { host: 'd', status: 'skipped' },
      { host: 'e', status: 'unchanged', result: plan({ host: 'e', status: 'unchanged', copyBytes: 1000 }) },
    ];
    expect(planCounts(rows)).toEqual({ changes: 2, unchanged: 1, unreachable: 0, failed: 0, skipped: 2 });
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    try {
      reportPlans(rows, { workspaceRoot: root, startTime: 1234 });
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('\nPlan (5 hosts): 2 would change, 1 unchanged, 0 unreachable, 0 failed, 2 skipped; 3.9 KiB to copy\nhost');
    expect(lines[0]).toMatch(/\n\(JSON: dist\/deploy\/plan\.json\)\n$/);
    const json = JSON.parse(readFileSync(join(root, 'dist/deploy/plan.json'), 'utf-8'));
    expect(json).toMatchObject({ startedAt: 1234, counts: planCounts(rows), copyBytes: 4000 });
    expect(json.hosts.map((h: PlanRow) => h.host)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(readFileSync(join(root, 'dist/deploy/plan.json'), 'utf-8')).toMatch(/\}\n$/);
  });

  it('one host is "1 host"', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      reportPlans([{ host: 'a', status: 'unchanged', result: plan({ host: 'a', status: 'unchanged' }) }], { workspaceRoot: root, startTime: 1 });
      expect(spy.mock.calls[0][0]).toContain('Plan (1 host): 0 would change, 1 unchanged');
    } finally {
      spy.mockRestore();
    }
  });
});
