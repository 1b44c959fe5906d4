// Counts the processes Nx forks for tasks in a run: a script every Node process loads first
// (NODE_OPTIONS --require) notes its pid and whether it is a batch worker (nx's run-batch.js)
// or a one-task process, when Nx marked it as a task executor. Real nx; nothing is mocked.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecutorProcesses {
  /** Extra environment for ws.nx. */
  env: NodeJS.ProcessEnv;
  /** Processes Nx forked since the last reset: batch workers and one-task processes. */
  count(): { batch: number; single: number };
  /** The pids of one kind, in the order they started. */
  pids(kind: 'batch' | 'single'): number[];
  reset(): void;
  remove(): void;
}

const PRELOAD = `
if (process.env.NX_FORKED_TASK_EXECUTOR === 'true' && process.env.NIX_FLEET_TEST_PROCESS_LOG) {
  const kind = /run-batch\\.js$/.test(process.argv[1] || '') ? 'batch' : 'single';
  require('node:fs').appendFileSync(process.env.NIX_FLEET_TEST_PROCESS_LOG, process.pid + ' ' + kind + '\\n');
}
`;

export function countExecutorProcesses(): ExecutorProcesses {
  const dir = mkdtempSync(join(tmpdir(), 'nix-fleet-procs-'));
  const preload = join(dir, 'note-pid.js');
  const log = join(dir, 'pids');
  writeFileSync(preload, PRELOAD);
  writeFileSync(log, '');
  return {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(), NIX_FLEET_TEST_PROCESS_LOG: log },
    count() {
      const lines = readFileSync(log, 'utf-8').split('\n').filter(Boolean);
      return { batch: lines.filter((l) => l.endsWith(' batch')).length, single: lines.filter((l) => l.endsWith(' single')).length };
    },
    pids: (kind) => readFileSync(log, 'utf-8').split('\n').filter((l) => l.endsWith(` ${kind}`)).map((l) => Number(l.split(' ')[0])),
    reset: () => writeFileSync(log, ''),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
