// The shape every fleet batch shares: run each task through its one-host executor in this one
// process, at most `limit` at a time, and hand each result to Nx the moment it is known (an async
// generator: Nx shows and caches a host when it finishes, not when the slowest one does).
//
// One host's failure or exception never stops the others. What would end the process instead
// (an exception nothing caught, a promise rejected with no handler) fails the hosts that had not
// finished, each with the reason and its output so far, and the batch still reports every host.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { abortReason } from '../../process/command-error';
import { withOwnOutput, type OwnOutput } from './host-output';

export interface BatchTaskResult {
  success: boolean;
  terminalOutput: string;
  startTime: number;
  endTime: number;
}

export interface BatchYield {
  task: string;
  result: BatchTaskResult;
}

export type Executor<O> = (options: O, context: ExecutorContext) => Promise<{ success: boolean }>;

/** A task's own context: context.taskGraph is the whole run's (its dependencies' hashes), taskGraph only this batch's. */
export function taskContext(taskGraph: TaskGraph, context: ExecutorContext, id: string): ExecutorContext {
  const { target } = taskGraph.tasks[id];
  return { ...context, taskGraph: context.taskGraph ?? taskGraph, projectName: target.project, targetName: target.target, configurationName: target.configuration };
}

export interface EachTaskOptions {
  limit: number;
  /** Once aborted, tasks not yet started are reported as failed, with the reason, and not run. */
  signal?: AbortSignal;
}

const failedBefore = (why: string): BatchTaskResult => ({ success: false, terminalOutput: `${why}\n`, startTime: Date.now(), endTime: Date.now() });

export async function* eachTask(ids: string[], runOne: (id: string) => Promise<{ success: boolean }>, options: EachTaskOptions): AsyncGenerator<BatchYield> {
  const waiting = [...ids];
  const limit = Number.isFinite(options.limit) && options.limit >= 1 ? Math.floor(options.limit) : 1;
  const running = new Map<string, { started: number; output: OwnOutput; settled: Promise<BatchYield> }>();
  let crashed: (e: unknown) => void = () => undefined;
  const crash = new Promise<{ crash: unknown }>((resolve) => (crashed = (e) => resolve({ crash: e })));
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  const start = (id: string) => {
    const started = Date.now();
    const { settled, output } = withOwnOutput(() => runOne(id));
    const result = settled.then(({ value, error }): BatchYield => {
      const success = error === undefined && value?.success === true;
      const thrown = error === undefined ? '' : `\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
      // A failed task's report (never cached) has its errors too; a cached one replays stdout.
      return { task: id, result: { success, terminalOutput: success ? output.stdout() : output.both() + thrown, startTime: started, endTime: Date.now() } };
    });
    running.set(id, { started, output, settled: result });
  };
  try {
    while (waiting.length > 0 || running.size > 0) {
      while (waiting.length > 0 && running.size < limit) {
        if (options.signal?.aborted) {
          const why = `Not started: the batch was stopped by ${abortReason(options.signal)}.`;
          for (const id of waiting.splice(0)) yield { task: id, result: failedBefore(why) };
          break;
        }
        start(waiting.shift() as string);
      }
      if (running.size === 0) break;
      const next = await Promise.race([...[...running.values()].map((r) => r.settled), crash]);
      if ('crash' in next) {
        const e = next.crash;
        const why = `the batch process failed while this host was running: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
        for (const [id, r] of running) yield { task: id, result: { success: false, terminalOutput: `${r.output.both()}\n${why}\n`, startTime: r.started, endTime: Date.now() } };
        for (const id of waiting) yield { task: id, result: failedBefore(`Not started: ${why.replace('while this host was running', 'before this host started')}`) };
        return;
      }
      running.delete(next.task);
      yield next;
    }
  } finally {
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
  }
}

/** A batch implementation that runs `executor` for each task, at most `limit` at a time. */
export function batchOf<O>(executor: Executor<O>, limitOf: (context: ExecutorContext) => number) {
  return function batch(taskGraph: TaskGraph, inputs: Record<string, O>, _overrides: O, context: ExecutorContext): AsyncGenerator<BatchYield> {
    return eachTask(Object.keys(inputs), (id) => executor(inputs[id], taskContext(taskGraph, context, id)), { limit: limitOf(context) });
  };
}
