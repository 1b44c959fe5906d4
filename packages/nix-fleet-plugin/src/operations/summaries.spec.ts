// The fleet tables of rollback, generations and exec after run-many, and their JSON.
import type { PostTasksExecutionContext } from '@nx/devkit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHostResult } from '../summary/host-results';
import { operationRows, operationSummary, renderOperation } from '../summary/operation-summary';
import type { ExecResult } from './exec-host';
import { DIST_EXEC, execOutput, execTable, rollbackStatus, rollbackTable } from './summaries';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-ops-summary-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

function context(tasks: Array<[string, string, string]>): PostTasksExecutionContext {
  const taskResults = Object.fromEntries(tasks.map(([project, target, status]) => [`${project}:${target}`, { task: { target: { project, target } }, status }]));
  return { id: 'x', workspaceRoot: root, nxJsonConfiguration: {}, taskResults, argv: [], startTime: 1000, endTime: 3000 } as unknown as PostTasksExecutionContext;
}
const exec = (host: string, over: Partial<ExecResult>): ExecResult => ({ host, command: 'systemctl is-active nginx', status: 'ok', exitCode: 0, stdout: 'active\n', stderr: '', local: false, durationMs: 300, finishedAt: 2000, ...over });

describe('operation summaries', () => {
  it("exec: a host's carriage returns and escape sequences are shown, never obeyed, in its lines and its detail", () => {
    writeHostResult(root, DIST_EXEC, exec('web1', { stdout: 'ok\rweb2 | forged\n', stderr: '\u001b]52;c;aGk=\u0007\n' }));
    const ctx = context([['web1', 'exec', 'success']]);
    const text = `${execOutput(operationRows(execTable, undefined, ctx))}\n${operationRows(execTable, undefined, ctx).map((r) => execTable.cells(r.host, r.status, r.result).join(' ')).join('\n')}`;
    expect(text).not.toMatch(/[\r\u001b\u0007]/);
    expect(text).toContain('web1 | ok\\rweb2 | forged');
    expect(text).toContain('\\x1b]52;c;aGk=\\x07');
  });

  it('exec: a row per host of this run, exit codes, counts; old results and other targets left out', () => {
    writeHostResult(root, DIST_EXEC, exec('web1', {}));
    writeHostResult(root, DIST_EXEC, exec('web2', { status: 'failed', exitCode: 3, stdout: 'inactive\n', message: 'exit code 3' }));
    writeHostResult(root, DIST_EXEC, exec('web3', { finishedAt: 10 }));
    const ctx = context([['web2', 'exec', 'failure'], ['web1', 'exec', 'success'], ['web3', 'exec', 'failure'], ['web1', 'build', 'success']]);
    const rows = operationRows(execTable, undefined, ctx);
    expect(rows.map((r) => [r.host, r.status])).toEqual([['web1', 'ok'], ['web2', 'failed'], ['web3', 'failed']]);
    expect(renderOperation(execTable, rows)).toBe(
      [
        'web1 | active',
        'web2 | inactive',
        '',
        'Exec (3 hosts): 1 ok, 2 failed',
        'host  result  exit  time  detail',
        '----  ------  ----  ----  -----------',
        'web1  ok         0  0.3s  active',
        'web2  failed     3  0.3s  exit code 3',
        'web3  failed     -  -',
      ].join('\n'),
    );
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    operationSummary(execTable)(undefined, ctx);
    log.mockRestore();
    expect(JSON.parse(readFileSync(join(root, 'dist/exec/summary.json'), 'utf-8'))).toMatchObject({ counts: { ok: 1, failed: 2 }, hosts: [{ host: 'web1' }, { host: 'web2' }, { host: 'web3' }] });
  });

  it('exec shows each host\'s last lines, and where the rest is', () => {
    const long = Array.from({ length: 25 }, (_, i) => `line ${i}`).join('\n');
    const text = execOutput([{ host: 'web1', result: exec('web1', { stdout: `${long}\n`, stderr: 'warn' }) }]).split('\n');
    expect(text[0]).toBe('web1 | ... (6 lines before; all in dist/exec/hosts/web1.json)');
    expect(text.slice(-2)).toEqual(['web1 | line 24', 'web1 | warn']);
    expect(text).toHaveLength(21);
  });

  it.each([
    [{ status: 'deployed' }, 'switched'],
    [{ status: 'rolled-back', step: 'activation' }, 'undone'],
    [{ status: 'failed', step: 'generation' }, 'refused'],
    [{ status: 'failed', step: 'connect' }, 'failed'],
  ])('rollback %j is %s', (r, status) => expect(rollbackStatus(r as never)).toBe(status));

  it('rollback rows name both generations', () => {
    expect(rollbackTable.cells('web1', 'switched', { fromGeneration: 2, toGeneration: 1, durationMs: 2100, message: undefined } as never)).toEqual(['web1', 'switched', '2', '1', '2.1s', '']);
  });
});
