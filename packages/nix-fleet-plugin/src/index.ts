// The nix-fleet Nx plugin: hosts and profiles become projects with build, closure-size and deploy.
// Nx imports this file for every command (the project graph), so it imports only the graph code;
// the fleet summaries, which run after tasks, are loaded when Nx calls them.
import type { NxPluginV2, PostTasksExecutionContext } from '@nx/devkit';
import { createDependencies } from './graph/dependencies';
import { createNodes, createNodesV2 } from './graph/nodes';
import type { NixFleetPluginOptions } from './graph/options';

export async function postTasksExecution(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): Promise<void> {
  const summaries = require('./post-tasks') as typeof import('./post-tasks');
  return summaries.postTasksExecution(options, context);
}

export { createDependencies, createNodes, createNodesV2 };
export type { NixFleetPluginOptions };
export type { HostJson } from './host/host-json';

const plugin: NxPluginV2<NixFleetPluginOptions> = {
  name: '@nix-fleet/nx',
  createNodesV2,
  createDependencies,
  postTasksExecution,
};
export default plugin;
