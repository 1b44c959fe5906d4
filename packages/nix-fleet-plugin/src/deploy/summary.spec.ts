import type { PostTasksExecutionContext } from '@nx/devkit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResult, type DeployResult } from './result';
import { deployRows, deploySummary } from './summary';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-summary-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const result = (host: string, over: Partial<DeployResult>): DeployResult => ({
  host,
  status: 'deployed',
  mode: 'switch',
  outPath: `/nix/store/x-${host}`,
  copied: true,
  durationMs: 1500,
  finishedAt: 2000,
  ...over,
});

function context(tasks: Array<[string, string, string]>): PostTasksExecutionContext {
  const taskResults = Object.fromEntries(
    tasks.map(([project, target, status]) => [`${project}:${target}`, { task: { target: { project, target } }, status, code: status === 'success' ? 0 : 1 }]),
  );
  return { id: 'x', workspaceRoot: root, nxJsonConfiguration: {}, taskResults, argv: [], startTime: 1000, endTime: 3000 } as unknown as PostTasksExecutionContext;
}

describe('deploy summary', () => {
  it('reads this run\'s results, ignores stale ones and other targets', () => {
    writeResult(root, result('a', {}));
    writeResult(root, result('b', { status: 'rolled-back', step: 'activation', rolledBackBy: 'watchdog', message: 'boom\nmore' }));
    writeResult(root, result('c', { finishedAt: 10 })); // from an earlier run
    const rows = deployRows(undefined, context([['b', 'deploy', 'failure'], ['a', 'deploy', 'success'], ['c', 'deploy', 'skipped'], ['a', 'build', 'success']]));
    expect(rows.map((r) => [r.host, r.status])).toEqual([['a', 'deployed'], ['b', 'rolled-back'], ['c', 'skipped']]);
  });

  it('prints a table with counts and writes summary.json', () => {
    writeResult(root, result('a', {}));
    writeResult(root, result('b', { status: 'unchanged', copied: false }));
    writeResult(root, result('c', { status: 'failed', step: 'connect', message: 'cannot reach c' }));
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    deploySummary(undefined, context([['a', 'deploy', 'success'], ['b', 'deploy', 'success'], ['c', 'deploy', 'failure']]));
    spy.mockRestore();
    const text = lines.join('\n');
    expect(text).toContain('Deploy (3 hosts): 1 deployed, 1 unchanged, 0 rolled back, 1 failed');
    expect(text).toMatch(/host\s+result\s+mode\s+copied\s+failed step\s+time\s+detail/);
    expect(text).toMatch(/c\s+failed\s+switch\s+yes\s+connect\s+1\.5s\s+cannot reach c/);
    const json = JSON.parse(readFileSync(join(root, 'dist/deploy/summary.json'), 'utf-8'));
    expect(json.counts).toEqual({ deployed: 1, unchanged: 1, 'rolled-back': 0, failed: 1 });
    expect(json.hosts).toHaveLength(3);
  });
});
