// The fleet table's pure parts: counts by status, why a host of a later wave did not start, the rows.
import { deployResult as result } from '../../testing/deploy-result';
import { countByStatus, renderDeployTable, skipReason, type DeployRow } from './summary';

/** The table's row of a host, its cells split on the two-space column gaps. */
const row = (text: string, host: string) => text.split('\n').find((l) => l.startsWith(`${host} `))?.split(/\s{2,}/);

describe('countByStatus', () => {
  it('always names the four outcomes, and counts any other status too', () => {
    expect(countByStatus([])).toEqual({ deployed: 0, unchanged: 0, 'rolled-back': 0, failed: 0 });
    const rows = ['failed', 'skipped', 'deployed', 'skipped', 'dry-activated'].map((status, i) => ({ host: `h${i}`, status }));
    expect(countByStatus(rows)).toEqual({ deployed: 1, unchanged: 0, 'rolled-back': 0, failed: 1, skipped: 2, 'dry-activated': 1 });
  });
});

describe('skipReason', () => {
  const waves = new Map([['canary', 0], ['web1', 1], ['web2', 1], ['db', 2], ['late', 3]]);
  const rows = (statuses: Record<string, string>): DeployRow[] => Object.entries(statuses).map(([host, status]) => ({ host, status }));

  it('names every host of a lower wave that did not deploy, with its wave and outcome', () => {
    const reason = skipReason('db', rows({ canary: 'rolled-back', web1: 'failed', web2: 'deployed', db: 'skipped', late: 'failed', nowave: 'failed' }), waves);
    expect(reason).toBe('not started: wave 2 waits for lower waves, and canary (wave 0) rolled back, web1 (wave 1) failed, nowave (wave 0) failed');
  });

  it('is nothing when every lower wave deployed, was unchanged, dry-activated or itself skipped', () => {
    expect(skipReason('db', rows({ canary: 'unchanged', web1: 'dry-activated', web2: 'skipped', late: 'failed' }), waves)).toBeUndefined();
    expect(skipReason('db', rows({ canary: 'deployed', db: 'failed' }), waves)).toBeUndefined();
  });

  it('a host of no wave is in wave 0: nothing is below it', () => {
    expect(skipReason('nowave', rows({ canary: 'failed' }), waves)).toBeUndefined();
  });
});

describe('renderDeployTable', () => {
  it('shows each outcome with its mode, copy, packages, failed step, time and first line of the message', () => {
    const text = renderDeployTable([
      { host: 'a', status: 'deployed', result: result('a', { packages: { upgraded: 2, downgraded: 0, changed: 1, added: 0, removed: 3 }, durationMs: 61234 }) },
      { host: 'b', status: 'rolled-back', result: result('b', { step: 'activation', rolledBackBy: 'watchdog', message: `boom\nmore` }) },
      { host: 'c', status: 'rolled-back', result: result('c', { step: 'health check', rolledBackBy: 'deployer', copied: false, message: 'x'.repeat(150) }) },
      { host: 'd', status: 'failed', step: 'eval', reason: 'error: nope' },
      { host: 'e', status: 'skipped' },
    ]);
    expect(row(text, 'a')).toEqual(['a', 'deployed', 'switch', 'yes', '↑2 ↓0 ~1 +0 -3', '61.2s']);
    // Times are right-aligned.
    const end = (host: string, cell: string) => (text.split('\n').find((l) => l.startsWith(`${host} `)) ?? '').indexOf(cell) + cell.length;
    expect(end('a', '61.2s')).toBe(end('b', '1.5s'));
    expect(row(text, 'b')).toEqual(['b', 'rolled back (watchdog)', 'switch', 'yes', 'activation', '1.5s', 'boom']);
    expect(row(text, 'c')).toEqual(['c', 'rolled back', 'switch', 'no', 'health check', '1.5s', 'x'.repeat(100)]);
    expect(row(text, 'd')).toEqual(['d', 'failed', '-', 'no', 'eval', '-', 'error: nope']);
    expect(row(text, 'e')).toEqual(['e', 'skipped', '-', 'no', '-']);
    // Without a dry-activated host the legend ends the table.
    expect(text.split('\n').at(-1)).toBe('packages ↑↓~+-: how many ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
  });

  it('a rolled-back row without a result of its own is still shown', () => {
    expect(row(renderDeployTable([{ host: 'a', status: 'rolled-back' }]), 'a')).toEqual(['a', 'rolled back', '-', 'no', '-']);
  });

  it('a result\'s own step wins over the row\'s', () => {
    const text = renderDeployTable([{ host: 'a', status: 'failed', step: 'interrupted', result: result('a', { status: 'failed', step: 'copy' }) }]);
    expect(row(text, 'a')?.[4]).toBe('copy');
  });
});
