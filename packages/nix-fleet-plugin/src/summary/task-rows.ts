// The rows of a fleet table: one per task of the given target in this run, sorted by host.
import type { PostTasksExecutionContext } from '@nx/devkit';

export interface TaskRow<T> {
  host: string;
  /** Nx's status of the task: success, failure, local-cache, skipped, ... */
  status: string;
  data: T;
}

/** `read` gets each task's host and Nx status and returns what the row shows of it. */
export function taskRows<T>(context: PostTasksExecutionContext, target: string, read: (host: string, status: string) => T): Array<TaskRow<T>> {
  return Object.values(context.taskResults)
    .filter((r) => r.task.target.target === target)
    .map((r) => ({ host: r.task.target.project, status: r.status, data: read(r.task.target.project, r.status) }))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

/** "s" for counts other than one. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
