// The Nx hash of a host's eval task: the key of the toplevel this machine evaluated for it.
import { cacheDir, type ExecutorContext, type Task } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTNAME_PATTERN, INVALID_TAG, PLUGIN_NAME } from '../constants';
import { skipsNxCache, type EvalPeer } from '../nix/fleet-eval';
import { proofKey } from '../git/source-key';

export const EVAL_EXECUTOR = `${PLUGIN_NAME}:eval`;

/** The Nx hash of the running task. */
export function ownTaskHash(context: ExecutorContext): string | undefined {
  return ownTask(context)?.hash;
}

function ownTask(context: ExecutorContext): Task | undefined {
  const graph = context.taskGraph;
  if (!graph) return undefined;
  return Object.values(graph.tasks).find(
    (t) => t.target.project === context.projectName && t.target.target === context.targetName && t.target.configuration === context.configurationName,
  );
}

function isEvalTask(context: ExecutorContext, task: Task): boolean {
  return context.projectsConfigurations?.projects[task.target.project]?.targets?.[task.target.target]?.executor === EVAL_EXECUTOR;
}

/** The options a task runs with: the target's, its configuration's, then the command line's. */
function taskOptions(context: ExecutorContext, task: Task): Record<string, unknown> {
  const target = context.projectsConfigurations?.projects[task.target.project]?.targets?.[task.target.target];
  const configuration = task.target.configuration ? target?.configurations?.[task.target.configuration] : undefined;
  return { ...target?.options, ...configuration, ...task.overrides };
}

/**
 * The key of this machine's proof of this host's toplevel: the hash of its eval task (the
 * running task's own when it is the eval, else that of the eval it depends on, directly or
 * through the build) joined with the workspace's source key (nix/source-key.ts), so a proof
 * never rests on the Nx hash alone. Undefined outside a task graph, outside a git work tree,
 * or when --host names another host than the project (that hash covers the project's inputs,
 * not the host's): then the flake is evaluated every time.
 */
export function evalHashOf(context: ExecutorContext, host: string): string | undefined {
  const own = ownTask(context);
  const graph = context.taskGraph;
  if (!own || !graph || own.target.project !== host) return undefined;
  const seen = new Set<string>();
  for (const queue = [own.id]; queue.length > 0; ) {
    const id = queue.shift() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const task = graph.tasks[id];
    if (!task || task.target.project !== host) continue;
    if (isEvalTask(context, task)) {
      const options = taskOptions(context, task);
      return (options.host ?? host) === host ? proofKey(context.root, task.hash, options.flake as string | undefined) : undefined;
    }
    queue.push(...(graph.dependencies[id] ?? []));
  }
  return undefined;
}

/**
 * Every eval task of the run for this flake: the hosts one shared evaluation can cover. With
 * `willRun`, only those Nx will run: a task in the local Nx cache is a hit, not evaluated
 * (unless --skip-nx-cache). Consumers need the others too: their proof is an evaluation.
 */
export function evalPeers(context: ExecutorContext, flake: string, { willRun = false } = {}): EvalPeer[] {
  const projects = context.projectsConfigurations?.projects ?? {};
  const peers: EvalPeer[] = [];
  const fresh = skipsNxCache();
  for (const task of Object.values(context.taskGraph?.tasks ?? {})) {
    const host = task.target.project;
    if (!isEvalTask(context, task) || projects[host]?.tags?.includes(INVALID_TAG) || !HOSTNAME_PATTERN.test(host)) continue;
    if (willRun && !fresh && task.hash && existsSync(join(cacheDir, task.hash))) continue;
    const options = taskOptions(context, task);
    if ((options.host ?? host) !== host || (options.flake ?? '.') !== flake) continue;
    const memory = options.memoryPerHostMiB;
    peers.push({ host, key: proofKey(context.root, task.hash, flake), ...(typeof memory === 'number' ? { memoryPerHostMiB: memory } : {}) });
  }
  return peers;
}

/**
 * Refuses --host naming another host than the host project the task belongs to: the task's
 * cache key is the project's own evaluation, so the other host's changes would never show.
 */
export function checkOwnHost(context: ExecutorContext, host: string): void {
  const project = context.projectName;
  const targets = project ? context.projectsConfigurations?.projects[project]?.targets : undefined;
  const isHostProject = Object.values(targets ?? {}).some((t) => t.executor === EVAL_EXECUTOR);
  if (isHostProject && project !== host) {
    throw new Error(`--host=${host} names another host than the project ${project}: the task is cached under ${project}'s evaluation. Run "nx run ${host}:${context.targetName}" instead.`);
  }
}

/** Whether this is the run's first task of this target (by project name): one voice for the run. */
export function firstEvalOfRun(context: Pick<ExecutorContext, 'taskGraph' | 'projectName' | 'targetName'>): boolean {
  const projects = Object.values(context.taskGraph?.tasks ?? {})
    .filter((t) => t.target.target === context.targetName)
    .map((t) => t.target.project)
    .sort();
  return projects.length === 0 || projects[0] === context.projectName;
}
