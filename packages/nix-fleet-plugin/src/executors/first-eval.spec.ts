import type { ExecutorContext } from '@nx/devkit';
import { firstEvalOfRun } from './task-hash';

const graph = (...ids: Array<[string, string]>) =>
  ({ roots: [], dependencies: {}, tasks: Object.fromEntries(ids.map(([project, target]) => [`${project}:${target}`, { id: `${project}:${target}`, target: { project, target } }])) }) as unknown as ExecutorContext['taskGraph'];

describe('firstEvalOfRun: one task of the run speaks for the workspace', () => {
  it('is the eval task of the first project by name, whatever the order of the graph', () => {
    const taskGraph = graph(['web1', 'eval'], ['ares', 'build'], ['db1', 'eval'], ['ares2', 'eval']);
    const who = ['web1', 'db1', 'ares2'].filter((projectName) => firstEvalOfRun({ taskGraph, projectName, targetName: 'eval' }));
    expect(who).toEqual(['ares2']);
  });

  it('speaks when it runs alone or without a task graph', () => {
    expect(firstEvalOfRun({ taskGraph: graph(['web1', 'eval']), projectName: 'web1', targetName: 'eval' })).toBe(true);
    expect(firstEvalOfRun({ taskGraph: undefined, projectName: 'web1', targetName: 'eval' })).toBe(true);
  });
});
