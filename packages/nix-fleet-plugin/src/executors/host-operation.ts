// What the host executors share (deploy, rollback, exec, generations): resolve the host, check
// the options into a plan (the same checks everywhere), pick the target (ssh, or this machine),
// run, and keep the host's result under dist/<operation>/ even when the options were refused
// before anything ran.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { HOSTNAME_PATTERN } from '../constants';
import type { DeployOptions } from '../deploy/deploy-options';
import { checkOneMachineTask, localOptions, selectedTasks, targetFor } from '../deploy/local-target';
import { deployPlan, type DeployPlan } from '../deploy/options';
import { allowsLocalTargets, checkMachine } from '../deploy/machine-check';
import type { Target } from '../deploy/target';
import { resolveHost, type ResolvedHost } from '../host/resolve-host';
import { writeHostResult } from '../summary/host-results';
import { abortReason } from '../process/command-error';
import { stopExitCode, watchForStop } from '../deploy/stop-signal';
import { fleetKnownHostsOption } from '../install/known-hosts';
import { checkedOptions } from './option-rule';
import { eachTask, taskContext, type BatchYield } from './batch/each-task';
import { batchParallel } from './batch/parallel';

export interface HostOperation<R extends { host: string }, O> {
  /** "Rollback": starts every failure line. */
  title: string;
  /** The executor's name in executors.json (its schema lists the options it knows). */
  executor: string;
  dist: string;
  run: (plan: DeployPlan, t: Target, options: O) => Promise<R>;
  /** The result of a host whose options were refused (nothing reached it). */
  refused: (host: string, message: string) => R;
  ok: (r: R) => boolean;
  /** The word after "<title> of <host>" when the options themselves are refused ("failed" if unset). */
  refusal?: string;
  /** Why this task does nothing at all (a deploy Nx added only for wave order); checked after the options. */
  skip?: (options: O) => string | undefined;
  /** Work between the checks and the target, with the host's files at hand (deploy's proof of its system). */
  prepare?: (plan: DeployPlan, resolved: ResolvedHost, options: O) => Promise<void>;
  /** One ssh connection shared by the operation's calls (closed when it ends). */
  shared?: (options: O) => boolean;
  /** Writes a host's result (default: dist/<operation>/hosts/<host>.json). */
  write?: (root: string, r: R) => void;
  /** The line that ends the task's output (a deploy's outcome); printed here, also when stopped. */
  line?: (r: R) => string | undefined;
  /** Extra words for a failure before the operation ran (a fix for a Nix error). */
  explain?: (e: unknown) => string | undefined;
}

/** A host run inside a batch: the batch watches for a stop once, for all of its hosts. */
export interface InBatch {
  signal: AbortSignal;
  /** The host's own output (deploy's batch keeps one per host); default console. */
  log?: (line: string) => void;
}

/**
 * --host names one host, so a run-many or affected that hands it to every task would reach that
 * host once per task and report its result under each task's name: refuse it there.
 */
function checkOneHostTask(options: { host?: string }, context: ExecutorContext): void {
  const tasks = Object.values(context.taskGraph?.tasks ?? {});
  // The task of the named host itself is refused too: the run's other tasks show the flag.
  const named = options.host !== undefined && options.host !== context.projectName
    ? options.host
    : tasks.map((t) => t.overrides?.host).find((h, i) => typeof h === 'string' && tasks[i].target.target === context.targetName && h !== tasks[i].target.project);
  if (named === undefined) return;
  const count = selectedTasks(tasks, context.targetName);
  if (count <= 1) return;
  throw new Error(`--host=${named} names one host, but this run has ${count} ${context.targetName} tasks: each would reach ${named}. Nothing was run. Run one host: nx run ${named}:${context.targetName}.`);
}

export async function runHostOperation<R extends { host: string }, O extends DeployOptions>(
  op: HostOperation<R, O>,
  given: O,
  context: ExecutorContext,
  batch?: InBatch,
): Promise<{ success: boolean; result?: R; options: O; skipped?: string }> {
  const log = batch?.log ?? ((line: string) => console.log(line));
  const fail = batch?.log ?? ((line: string) => console.error(line));
  const write = op.write ?? ((root: string, r: R) => void writeHostResult(root, op.dist, r));
  let host = given.host ?? context.projectName ?? '';
  let result: R;
  const own = batch ? undefined : watchForStop();
  const stop = batch?.signal ?? own!.signal;
  let options = given;
  let t: Target | undefined;
  let checked = false;
  try {
    options = checkedOptions(op.executor, given, context);
    // Refused under the task's own name: the host it named is another task's to report.
    host = context.projectName ?? host;
    checkOneHostTask(options, context);
    host = options.host ?? host;
    checked = true;
    const skipped = op.skip?.(options);
    if (skipped) {
      log(skipped);
      return { success: true, options, skipped };
    }
    const resolved = resolveHost(options, context);
    host = resolved.host;
    checkOneMachineTask(options, Object.values(context.taskGraph?.tasks ?? {}), context.targetName);
    const plan = deployPlan(host, resolved.hostJson, localOptions(options));
    plan.target.knownHostsFile = fleetKnownHostsOption(context.root);
    if (plan.addressNote) log(plan.addressNote);
    await checkMachine(context.root, host, plan, { local: options.local, targetHost: options.targetHost, allowed: allowsLocalTargets(context), targetName: context.targetName });
    await op.prepare?.(plan, resolved, options);
    t = targetFor(plan, log, { signal: stop, shared: op.shared?.(options) });
    result = await op.run(plan, t, options);
  } catch (e) {
    const fix = op.explain?.(e);
    fail(`\n${op.title} of ${host} ${checked ? 'failed' : (op.refusal ?? 'failed')}: ${(e as Error).message}${fix ? `\n${fix}` : ''}`);
    // A host name that failed its check names no file to write.
    if (HOSTNAME_PATTERN.test(host)) write(context.root, op.refused(host, (e as Error).message));
    return { success: false, options };
  } finally {
    await t?.close?.();
    own?.dispose();
  }
  write(context.root, result);
  const ok = op.ok(result);
  const line = op.line?.(result);
  if (stop.aborted) {
    // The target's own timeout or watchdog finishes what was started; nx may be gone.
    fail(`\n${line ?? `${op.title} of ${host} stopped by ${abortReason(stop)}; its result is in ${op.dist}.`}`);
    // The batch reports every host, then ends as Nx tells it to.
    if (batch) return { success: false, result, options };
    process.exit(stopExitCode(abortReason(stop)));
  }
  if (line) (ok ? log : fail)(`\n${line}`);
  return { success: ok, result, options };
}

/**
 * The batch path: every host of an Nx batch through `executor` in this one process, at most Nx's
 * --parallel at a time, each with its own output, under one watch for SIGINT, SIGTERM, SIGHUP
 * or nx's death (a stop lets the running hosts finish their own way and starts no more).
 */
export function hostOperationBatch<O>(executor: (given: O, context: ExecutorContext, batch: InBatch) => Promise<{ success: boolean }>) {
  return async function* batch(taskGraph: TaskGraph, inputs: Record<string, O>, _overrides: O, context: ExecutorContext): AsyncGenerator<BatchYield> {
    const stop = watchForStop();
    try {
      const run = (id: string) => executor(inputs[id], taskContext(taskGraph, context, id), { signal: stop.signal });
      yield* eachTask(Object.keys(inputs), run, { limit: batchParallel(context), signal: stop.signal });
    } finally {
      stop.dispose();
    }
  };
}
