// The fleet tables after `nx run-many -t rollback|generations|exec`, and where each keeps its JSON.
import { firstLine } from '../process/command-error';
import { operationSummary, seconds, type OperationTable } from '../summary/operation-summary';
import { visibleLine, type ExecResult } from './exec-host';
import type { GenerationsResult } from './generations-result';
import type { RollbackResult } from './rollback-host';

export const DIST_ROLLBACK = 'dist/rollback';
export const DIST_GENERATIONS = 'dist/generations';
export const DIST_EXEC = 'dist/exec';

/** switched; undone (the rollback failed and the host went back to what it ran); refused; failed. */
export function rollbackStatus(r: RollbackResult): string {
  if (r.status === 'deployed') return 'switched';
  if (r.status === 'rolled-back') return 'undone';
  return r.step === 'generation' ? 'refused' : 'failed';
}

export const rollbackTable: OperationTable<RollbackResult> = {
  title: 'Rollback',
  dist: DIST_ROLLBACK,
  targetName: (o) => o.rollbackTargetName,
  status: rollbackStatus,
  headers: ['host', 'result', 'from', 'to', 'time', 'detail'],
  cells: (host, status, r) => [host, status, r?.fromGeneration?.toString() ?? '-', r?.toGeneration?.toString() ?? '-', seconds(r?.durationMs), firstLine(r?.message, 100)],
};

export const generationsTable: OperationTable<GenerationsResult> = {
  title: 'Generations',
  dist: DIST_GENERATIONS,
  targetName: (o) => o.generationsTargetName,
  status: (r) => r.status,
  headers: ['host', 'result', 'generations', 'running', 'boots', 'detail'],
  rightAligned: [2],
  cells: (host, status, r) => {
    const running = r?.generations.filter((g) => g.running).map((g) => g.number) ?? [];
    const boots = r?.generations.find((g) => g.boots)?.number;
    const runs = running.length ? running.join(',') : r?.running ? 'none of them' : '-';
    return [host, status, r ? String(r.generations.length) : '-', runs, boots?.toString() ?? '-', firstLine(r?.message, 100)];
  },
};

/** At most this many of each host's last output lines above the exec table; the JSON keeps more. */
export const EXEC_LINES = 20;

/** Every host's output, prefixed with its name: run-many shows only failed tasks' own output. */
export function execOutput(rows: Array<{ host: string; result?: ExecResult }>): string {
  return rows
    .filter((r) => r.result && `${r.result.stdout}${r.result.stderr}`.trim())
    .map(({ host, result }) => {
      const lines = [result!.stdout, result!.stderr].flatMap((text) => (text ? text.replace(/\n$/, '').split('\n') : []));
      const cut = lines.length > EXEC_LINES ? [`${host} | ... (${lines.length - EXEC_LINES} lines before; all in ${DIST_EXEC}/hosts/${host}.json)`] : [];
      return [...cut, ...lines.slice(-EXEC_LINES).map((l) => `${host} | ${visibleLine(l)}`)].join('\n');
    })
    .join('\n');
}

export const execTable: OperationTable<ExecResult> = {
  preamble: execOutput,
  title: 'Exec',
  dist: DIST_EXEC,
  targetName: (o) => o.execTargetName,
  status: (r) => r.status,
  headers: ['host', 'result', 'exit', 'time', 'detail'],
  rightAligned: [2],
  cells: (host, status, r) => [host, status, r?.exitCode?.toString() ?? '-', seconds(r?.durationMs), visibleLine(firstLine(r?.message ?? (r?.stderr.trim() || r?.stdout.trim()), 80))],
};

export const operationSummaries = [rollbackTable, generationsTable, execTable].map((t) => operationSummary(t as OperationTable<{ finishedAt: number }>));
