// Which hosts a run meant to deploy. Nx leaves a task it never started (a lower wave failed)
// out of the results postTasksExecution gets, so each deploy task records the run's selected
// deploy tasks from its own task graph; the summary then names the hosts that did not start.
import { readJsonFile, writeJsonFile, type ExecutorContext } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { taskAddedForWave } from '../graph/waves';
import { DIST_DEPLOY } from './result';

const FILE = 'run-tasks.json';

export interface RunTasks {
  writtenAt: number;
  /** Hosts whose deploy task stands for a selected host (not one added for wave order). */
  hosts: string[];
}

/** Every task of the run writes the same list; the last write wins, and all are equal. */
export function recordRunTasks(context: Pick<ExecutorContext, 'root' | 'taskGraph' | 'targetName'>): void {
  const tasks = Object.values(context.taskGraph?.tasks ?? {});
  const hosts = tasks.filter((t) => t.target.target === context.targetName && !taskAddedForWave(t)).map((t) => t.target.project);
  if (hosts.length === 0) return;
  writeJsonFile(join(context.root, DIST_DEPLOY, FILE), { writtenAt: Date.now(), hosts: [...new Set(hosts)].sort() }, { appendNewLine: true });
}

/** The hosts of the run that started at startTime, or [] when no deploy task of it ran. */
export function readRunTasks(workspaceRoot: string, startTime: number): string[] {
  const file = join(workspaceRoot, DIST_DEPLOY, FILE);
  try {
    const r = existsSync(file) ? readJsonFile<RunTasks>(file) : undefined;
    return r && r.writtenAt >= startTime ? r.hosts : [];
  } catch {
    return [];
  }
}
