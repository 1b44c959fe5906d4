// The Nx hash of a host's build task, as the key of the toplevel this machine evaluated for it.
import type { ExecutorContext, Task } from '@nx/devkit';

function ownTask(context: ExecutorContext): Task | undefined {
  const graph = context.taskGraph;
  if (!graph) return undefined;
  return Object.values(graph.tasks).find(
    (t) => t.target.project === context.projectName && t.target.target === context.targetName && t.target.configuration === context.configurationName,
  );
}

/**
 * The hash of this host's build: the running task's own when it is the build, else that of the
 * build it depends on. Undefined outside a task graph, or when --host names another host than
 * the project (that hash covers the project's inputs, not the host's): then the flake is
 * evaluated every time.
 */
export function buildHashOf(context: ExecutorContext, isBuild: boolean, host: string): string | undefined {
  const own = ownTask(context);
  if (!own || own.target.project !== host) return undefined;
  if (isBuild) return own.hash;
  const deps = context.taskGraph?.dependencies[own.id] ?? [];
  return deps.map((id) => context.taskGraph?.tasks[id]).find((t) => t?.target.project === own.target.project)?.hash;
}
