import type { PostTasksExecutionContext } from '@nx/devkit';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countChanges } from '../closure/version';
import { writePlanResult } from './plan';
import { deployResult as result } from '../../testing/deploy-result';
import { writeResult } from './result';
import { recordRunTasks } from './run-tasks';
import { deployAndPlanRows, deployRows, deploySummary } from './summary';
import { writeBatchRecord } from './batch-record';
import { writeEvalFailure } from '../summary/upstream-failure';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-summary-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** What fn printed with console.log, one entry per call. */
function printed(fn: () => void): string[] {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

const task = (project: string, overrides: Record<string, unknown>) => ({ target: { project, target: 'deploy' }, overrides });

function context(tasks: Array<[string, string, string, Record<string, unknown>?]>, startTime = 1000): PostTasksExecutionContext {
  const taskResults = Object.fromEntries(
    tasks.map(([project, target, status, overrides]) => [`${project}:${target}`, { task: { target: { project, target }, overrides: overrides ?? {} }, status, code: status === 'success' ? 0 : 1 }]),
  );
  return { id: 'x', workspaceRoot: root, nxJsonConfiguration: {}, taskResults, argv: [], startTime, endTime: 3000 } as unknown as PostTasksExecutionContext;
}

describe('deploy summary', () => {
  it('names why each host of a batch that died has no result; a finished host keeps its own, an earlier batch says nothing', () => {
    writeResult(root, result('a', {}));
    writeBatchRecord(root, { pid: 4242, startedAt: 1500, hosts: ['a', 'b', 'c'] });
    const rows = deployRows(undefined, context([['a', 'deploy', 'failure'], ['b', 'deploy', 'failure'], ['c', 'deploy', 'failure']]));
    expect(rows.map((r) => [r.host, r.status, r.reason])).toEqual([
      ['a', 'deployed', undefined],
      ...['b', 'c'].map((h) => [h, 'failed', expect.stringContaining('the deploy batch (process 4242) ended before this host finished')]),
    ]);
    writeBatchRecord(root, { pid: 4242, startedAt: 500, hosts: ['a', 'b', 'c'] });
    const stale = deployRows(undefined, context([['b', 'deploy', 'failure']]))[0];
    expect([stale.host, stale.status, stale.reason]).toEqual(['b', 'failed', undefined]);
  });

  it('reads this run\'s results, ignores stale ones and other targets', () => {
    writeResult(root, result('a', {}));
    writeResult(root, result('b', { status: 'rolled-back', step: 'activation', rolledBackBy: 'watchdog', message: 'boom\nmore' }));
    writeResult(root, result('c', { finishedAt: 10 })); // from an earlier run
    const rows = deployRows(undefined, context([['b', 'deploy', 'failure'], ['a', 'deploy', 'success'], ['c', 'deploy', 'skipped'], ['a', 'build', 'success']]));
    expect(rows.map((r) => [r.host, r.status])).toEqual([['a', 'deployed'], ['b', 'rolled-back'], ['c', 'skipped']]);
  });

  it('shows a host whose eval failed as failed at eval with the error\'s first line, not skipped', () => {
    writeResult(root, result('a', {}));
    writeEvalFailure(root, 'b', 'warning: Git tree is dirty\nerror: attribute \'nope\' missing\n\n       at flake.nix:3:5');
    const ctx = context([['a', 'deploy', 'success'], ['b', 'eval', 'failure'], ['b', 'deploy', 'skipped']]);
    const rows = deployRows(undefined, { ...ctx, startTime: 0 });
    expect(rows.find((r) => r.host === 'b')).toMatchObject({ status: 'failed', step: 'eval', reason: "error: attribute 'nope' missing" });
    const lines = printed(() => deploySummary(undefined, { ...ctx, startTime: 0 }));
    expect(lines.join('\n')).toContain('1 deployed, 0 unchanged, 0 rolled back, 1 failed');
    expect(lines.join('\n')).toMatch(/b\s+failed\s+-\s+no\s+eval\s+-\s+error: attribute 'nope' missing/);
  });

  it('a plan run where a host\'s build failed says failed at build, from the task\'s output', () => {
    const ctx = { ...context([['b', 'build', 'failure'], ['b', 'deploy', 'skipped']]), argv: ['run-many', '-t', 'deploy', '--mode', 'plan'] } as PostTasksExecutionContext;
    (ctx.taskResults['b:build'] as { terminalOutput?: string }).terminalOutput = 'building\n\nBuild of b failed: builder for x failed with exit code 1\nmore';
    const lines = printed(() => deploySummary(undefined, ctx));
    expect(lines.join('\n')).toMatch(/b\s+failed at build\s+-\s+-\s+-\s+builder for x failed with exit code 1/);
    expect(lines.join('\n')).toContain('Plan (1 host): 0 would change, 0 unchanged, 0 unreachable, 1 failed;');
  });

  it('shows what dry-activate said each host would do, under the table', () => {
    writeResult(root, result('web1', { status: 'dry-activated', mode: 'dry-activate', wouldDo: ['would restart the following units: nginx.service', 'would start the following units: app.service'] }));
    writeResult(root, result('db', { status: 'dry-activated', mode: 'dry-activate', wouldDo: [] }));
    const lines = printed(() => deploySummary(undefined, context([['web1', 'deploy', 'success'], ['db', 'deploy', 'success']])));
    const text = lines.join('\n');
    expect(text).toContain('packages ↑↓~+-: how many ↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
    expect(text).toContain(
      [
        'dry-activate: what each host would do',
        '  db    (nothing: no unit would start, stop, restart or reload)',
        '  web1  would restart the following units: nginx.service',
        '        would start the following units: app.service',
      ].join('\n'),
    );
  });

  it('prints a table with counts and writes summary.json', () => {
    writeResult(root, result('a', {}));
    writeResult(root, result('b', { status: 'unchanged', copied: false }));
    writeResult(root, result('c', { status: 'failed', step: 'connect', message: 'cannot reach c' }));
    const lines = printed(() => deploySummary(undefined, context([['a', 'deploy', 'success'], ['b', 'deploy', 'success'], ['c', 'deploy', 'failure']])));
    const text = lines.join('\n');
    expect(text).toContain('Deploy (3 hosts): 1 deployed, 1 unchanged, 0 rolled back, 1 failed');
    expect(text).toMatch(/host\s+result\s+mode\s+copied\s+packages ↑↓~\+-\s+failed step\s+time\s+detail/);
    expect(text).toMatch(/c\s+failed\s+switch\s+yes\s+connect\s+1\.5s\s+cannot reach c/);
    const json = JSON.parse(readFileSync(join(root, 'dist/deploy/summary.json'), 'utf-8'));
    expect(json.counts).toEqual({ deployed: 1, unchanged: 1, 'rolled-back': 0, failed: 1 });
    expect(json.hosts).toHaveLength(3);
  });

  it('says why a later wave did not start, and leaves out tasks Nx added only for wave order', () => {
    for (const [host, wave] of [['canary', 0], ['web1', 1], ['web2', 1]] as const) {
      mkdirSync(join(root, 'hosts', host), { recursive: true });
      writeFileSync(join(root, 'hosts', host, 'host.json'), JSON.stringify({ deployment: { wave } }));
    }
    writeResult(root, result('canary', { status: 'rolled-back', step: 'activation', message: 'activation failed', finishedAt: Date.now() }));
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((s: string) => void lines.push(s));
    // Nx reports no result for a task it never started: the run's deploy tasks come from run-tasks.json.
    recordRunTasks({ root, targetName: 'deploy', taskGraph: { tasks: { a: task('canary', {}), b: task('web1', { waveOf: 'web1' }), c: task('web2', { waveOf: 'web1' }) } } as never });
    deploySummary(undefined, context([['canary', 'deploy', 'failure'], ['web2', 'deploy', 'success', { waveOf: 'web1' }]], Date.now() - 1000));
    spy.mockRestore();
    const json = JSON.parse(readFileSync(join(root, 'dist/deploy/summary.json'), 'utf-8'));
    expect(json.hosts.map((h: { host: string }) => h.host)).toEqual(['canary', 'web1']);
    expect(json.hosts[1]).toMatchObject({ status: 'skipped', reason: 'not started: wave 1 waits for lower waves, and canary (wave 0) rolled back' });
    expect(lines.join('\n')).toMatch(/web1\s+skipped\s+-\s+no\s+-\s+not started: wave 1 waits/);
  });

  it('gives the wave reason only to a host that was skipped, not to one that ran or failed for its own reason', () => {
    for (const [host, wave] of [['canary', 0], ['web1', 1], ['web2', 1]] as const) {
      mkdirSync(join(root, 'hosts', host), { recursive: true });
      writeFileSync(join(root, 'hosts', host, 'host.json'), JSON.stringify({ deployment: { wave } }));
    }
    writeResult(root, result('canary', { status: 'failed', step: 'copy', message: 'disk full' }));
    writeResult(root, result('web1', {}));
    writeEvalFailure(root, 'web2', "error: attribute 'x' missing");
    const ctx = context([['canary', 'deploy', 'failure'], ['web1', 'deploy', 'success'], ['web2', 'eval', 'failure'], ['web2', 'deploy', 'skipped']], 0);
    printed(() => deploySummary(undefined, ctx));
    const json = JSON.parse(readFileSync(join(root, 'dist/deploy/summary.json'), 'utf-8'));
    expect(json.hosts.map((h: { host: string; reason?: string }) => [h.host, h.reason])).toEqual([['canary', undefined], ['web1', undefined], ['web2', "error: attribute 'x' missing"]]);
  });

  it('a plan run prints the plan table and writes plan.json, not a deploy summary', () => {
    const base = { outPath: '/nix/store/x', closureSize: 10, changes: [], counts: countChanges([]), durationMs: 5, finishedAt: 2000 };
    writePlanResult(root, { ...base, host: 'a', status: 'changes', counts: { ...countChanges([]), added: 1 }, growth: 4096, copyPaths: 2, copyBytes: 5000 });
    writePlanResult(root, { ...base, host: 'b', status: 'unreachable', message: 'cannot reach b over ssh: No route to host' });
    const lines = printed(() => deploySummary(undefined, context([['a', 'deploy', 'success'], ['b', 'deploy', 'success']])));
    const text = lines.join('\n');
    expect(text).toContain('Plan (2 hosts): 1 would change, 0 unchanged, 1 unreachable, 0 failed; 4.9 KiB to copy');
    expect(text).toMatch(/a\s+changes\s+↑0 ↓0 ~0 \+1 -0\s+\+4\.0 KiB\s+4\.9 KiB \(2\)/);
    expect(text).toMatch(/b\s+unreachable\s+-\s+-\s+-\s+cannot reach b over ssh/);
    expect(text).not.toContain('Deploy (');
    const plan = JSON.parse(readFileSync(join(root, 'dist/deploy/plan.json'), 'utf-8'));
    expect(plan).toMatchObject({ counts: { changes: 1, unreachable: 1 }, copyBytes: 5000 });
  });
});

describe('which rows a run has', () => {
  const planOf = (host: string) => ({ host, status: 'changes' as const, outPath: '/nix/store/x', closureSize: 1, changes: [], counts: countChanges([]), durationMs: 1, finishedAt: 2000 });

  it('a run where one host wrote a plan is a plan run; hosts that wrote none keep Nx\'s status', () => {
    writePlanResult(root, planOf('b'));
    const { deploys, plans } = deployAndPlanRows(undefined, context([['c', 'deploy', 'skipped'], ['b', 'deploy', 'success'], ['a', 'deploy', 'failure']]));
    expect(deploys).toEqual([]);
    expect(plans.map((p) => [p.host, p.status, p.result?.host])).toEqual([['a', 'failed', undefined], ['b', 'changes', 'b'], ['c', 'skipped', undefined]]);
  });

  it.each([[['--mode=plan']], [['-t', 'deploy', '--mode', 'plan']]])('%j asks for a plan run, though no host wrote a plan', (argv) => {
    const { deploys, plans } = deployAndPlanRows(undefined, { ...context([['a', 'deploy', 'failure']]), argv });
    expect([deploys, plans.map((p) => [p.host, p.status])]).toEqual([[], [['a', 'failed']]]);
  });

  it.each([[['--mode', 'boot']], [['--projects', 'plan']], [['--mode=planned']]])('%j is a deploy run: no plan table, no plan.json', (argv) => {
    writeResult(root, result('a', {}));
    const lines = printed(() => deploySummary(undefined, { ...context([['a', 'deploy', 'success']]), argv }));
    expect(lines.join('\n')).toContain('Deploy (1 host): 1 deployed');
    expect(lines.join('\n')).not.toContain('Plan (');
    expect(existsSync(join(root, 'dist/deploy/plan.json'))).toBe(false);
  });

  it('a result finished the moment the run started is this run\'s', () => {
    writeResult(root, result('a', { finishedAt: 1000 }));
    expect(deployRows(undefined, context([['a', 'deploy', 'success']], 1000))[0].result?.finishedAt).toBe(1000);
  });

  it('hosts Nx never started come once each, in name order among the hosts that ran', () => {
    recordRunTasks({ root, targetName: 'deploy', taskGraph: { tasks: { x: task('a', {}), y: task('c', {}), z: task('d', {}), w: task('b', {}) } } as never });
    const rows = deployRows(undefined, context([['d', 'deploy', 'success'], ['b', 'deploy', 'success']], Date.now() - 1000));
    expect(rows.map((r) => [r.host, r.status])).toEqual([['a', 'skipped'], ['b', 'success'], ['c', 'skipped'], ['d', 'success']]);
  });

  it('leaves out a deploy Nx added for wave order, though the same host\'s other tasks ran', () => {
    const rows = deployRows(undefined, context([['a', 'deploy', 'success'], ['b', 'deploy', 'success', { waveOf: 'a' }], ['b', 'build', 'success']]));
    expect(rows.map((r) => r.host)).toEqual(['a']);
  });

  it('of a batch that died, a host Nx skipped stays skipped; an unfinished one failed, interrupted', () => {
    writeBatchRecord(root, { pid: 7, startedAt: 1500, hosts: ['a', 'b'] });
    const rows = deployRows(undefined, context([['a', 'deploy', 'skipped'], ['b', 'deploy', 'failure'], ['c', 'deploy', 'failure']]));
    expect(rows.map((r) => [r.host, r.status, r.step])).toEqual([['a', 'skipped', undefined], ['b', 'failed', 'interrupted'], ['c', 'failed', undefined]]);
  });

  it('a dry-activated host that said nothing would change says so, after a blank line; summary.json ends with a newline', () => {
    writeResult(root, result('a', { status: 'dry-activated', mode: 'dry-activate' }));
    const text = printed(() => deploySummary(undefined, context([['a', 'deploy', 'success']]))).join('\n');
    expect(text).toContain('removed\n\ndry-activate: what each host would do\n  a  (nothing: no unit would start, stop, restart or reload)\n');
    expect(readFileSync(join(root, 'dist/deploy/summary.json'), 'utf-8')).toMatch(/\}\n$/);
  });
});
