// The nix-fleet Nx plugin: hosts and profiles become projects with build, closure-size and deploy.
import type { NxPluginV2 } from '@nx/devkit';
import { createDependencies } from './graph/dependencies';
import { createNodes, createNodesV2 } from './graph/nodes';
import type { NixFleetPluginOptions } from './graph/options';
import { postTasksExecution } from './summary/post-tasks';

export { createDependencies, createNodes, createNodesV2, postTasksExecution };
export type { NixFleetPluginOptions };
export type { HostJson } from './host/host-json';

const plugin: NxPluginV2<NixFleetPluginOptions> = {
  name: '@nix-fleet/nx',
  createNodesV2,
  createDependencies,
  postTasksExecution,
};
export default plugin;
