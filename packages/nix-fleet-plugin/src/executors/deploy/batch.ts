// Deploy in a batch: every deploy task of a run in this one process (executors.json's
// preferBatch; `--batch=false` gives each host its own process, executor.ts). Each host goes
// through the same path as alone (deployTask): its lock, watchdog, confirmation and rollback
// are its own. The batch only orders the hosts as Nx's task graph says (a wave starts once the
// wave below deployed), keeps at most --parallel of them in flight, and yields each host's
// result with its own output as it finishes, so Nx shows and caches it then.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { writeBatchRecord } from '../../deploy/batch-record';
import { recordRunTasks } from '../../deploy/run-tasks';
import { writeResult } from '../../deploy/result';
import { failedPlan, writePlanResult } from '../../deploy/plan';
import { stopExitCode, watchForStop } from '../../deploy/stop-signal';
import { HOSTNAME_PATTERN } from '../../constants';
import { abortReason } from '../../process/command-error';
import { batchParallel } from '../batch/parallel';
import { deployTask } from './executor';
import type { DeployExecutorSchema } from './schema';
import { inTaskOrder } from './task-order';

interface HostTaskResult {
  success: boolean;
  status?: 'success' | 'failure' | 'skipped';
  terminalOutput: string;
  startTime?: number;
  endTime?: number;
}

/** One host, never throwing: an exception is that host's failure, not the batch's. */
async function deployOne(task: TaskGraph['tasks'][string], given: DeployExecutorSchema, context: ExecutorContext, stop: AbortSignal) {
  const host = task.target.project;
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    // Progress while hosts run side by side: their one-line step lines, live (the whole output
    // comes with the result, shown as Nx shows a task's output). A plan is a report, not progress:
    // like --batch=false it stays in the task's output and the fleet table.
    if (given.mode !== 'plan' && !line.includes('\n') && line.startsWith(`${host}: `)) process.stderr.write(`${line}\n`);
  };
  const startTime = Date.now();
  const own: ExecutorContext = { ...context, projectName: host, targetName: task.target.target, configurationName: task.target.configuration };
  let success = false;
  try {
    success = (await deployTask(given, own, { log, signal: stop })).success;
  } catch (e) {
    const message = `unexpected error in the deployer: ${(e as Error).stack ?? e}`;
    log(`\nDeploy of ${host} failed: ${message}`);
    if (HOSTNAME_PATTERN.test(host)) writeResult(context.root, { host, status: 'failed', mode: given.mode ?? 'switch', outPath: '', copied: false, step: 'deployer', message, durationMs: Date.now() - startTime, finishedAt: Date.now() });
  }
  const result: HostTaskResult = { success, terminalOutput: `${lines.join('\n')}\n`, startTime, endTime: Date.now() };
  return { ok: success, value: result };
}

/** A host the batch never started because it was stopped: nothing reached it, and its result says so. */
function notStarted(root: string, host: string, given: DeployExecutorSchema, why: string): HostTaskResult {
  const message = `was not started: the batch was stopped by ${why}; nothing was done on this host`;
  // A plan run's table reads plans: the host's row says why it has none.
  if (HOSTNAME_PATTERN.test(host) && given.mode === 'plan') writePlanResult(root, failedPlan(host, message));
  else if (HOSTNAME_PATTERN.test(host)) writeResult(root, { host, status: 'failed', mode: given.mode ?? 'switch', outPath: '', copied: false, step: 'interrupted', message, durationMs: 0, finishedAt: Date.now() });
  return { success: false, terminalOutput: `Deploy of ${host} ${message}\n`, startTime: Date.now(), endTime: Date.now() };
}

export default async function* deployBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, DeployExecutorSchema>,
  _overrides: DeployExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<{ task: string; result: HostTaskResult }> {
  const ids = Object.keys(taskGraph.tasks);
  // A batch's context names no target: its tasks do (all of one deploy target).
  recordRunTasks({ ...context, targetName: taskGraph.tasks[ids[0]]?.target.target });
  writeBatchRecord(context.root, { pid: process.pid, startedAt: Date.now(), hosts: ids.map((id) => taskGraph.tasks[id].target.project).sort() });
  // One stop for the batch: every host's calls end, and each host's watchdog decides.
  const stop = watchForStop();
  const limit = batchParallel(context);
  try {
    const order = inTaskOrder(ids, taskGraph.dependencies, limit, (id) => deployOne(taskGraph.tasks[id], inputs[id], context, stop.signal), stop.signal);
    for await (const done of order) {
      if (done.ran) {
        yield { task: done.id, result: done.value };
        continue;
      }
      if (done.stopped) {
        yield { task: done.id, result: notStarted(context.root, taskGraph.tasks[done.id].target.project, inputs[done.id], done.stopped) };
        continue;
      }
      const held = done.blockedBy.map((d) => taskGraph.tasks[d]?.target.project ?? d).join(', ');
      yield { task: done.id, result: { success: false, status: 'skipped', terminalOutput: `${taskGraph.tasks[done.id].target.project}: not started: ${held} did not deploy\n` } };
    }
  } finally {
    stop.dispose();
  }
  if (stop.signal.aborted) {
    // Every host's result was handed over; nx may be gone. Its messages get a moment to leave.
    setTimeout(() => process.exit(stopExitCode(abortReason(stop.signal))), 500);
  }
}
