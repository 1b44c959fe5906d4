// Batch eval (`nx run-many -t build --batch`): the tasks run in this one process, the first
// one evaluates every host of the batch (fleet-eval.ts) and the others find theirs remembered.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import evalExecutor from './executor';
import type { EvalExecutorSchema } from './schema';

type Results = Record<string, { success: boolean; terminalOutput: string; startTime?: number; endTime?: number }>;

export default async function evalBatch(taskGraph: TaskGraph, inputs: Record<string, EvalExecutorSchema>, _overrides: EvalExecutorSchema, context: ExecutorContext): Promise<Results> {
  const results: Results = {};
  for (const id of Object.keys(inputs)) {
    const task = taskGraph.tasks[id];
    const startTime = Date.now();
    const { success } = await evalExecutor(inputs[id], { ...context, taskGraph: context.taskGraph ?? taskGraph, projectName: task.target.project, targetName: task.target.target, configurationName: task.target.configuration });
    results[id] = { success, terminalOutput: '', startTime, endTime: Date.now() };
  }
  return results;
}
