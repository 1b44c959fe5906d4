// Deploy waves as Nx task dependencies: a wave-N host's deploy depends on the deploys of the
// next lower wave, so `nx run-many -t deploy` runs canaries first and Nx skips every later
// wave after a failure (transitively, wave by wave). No scheduler of ours.
//
// Nx adds a dependency's task to the run even when its project was not selected
// (create-task-graph.js, processTasksForSingleProject). `nx run web2:deploy` would then deploy
// the canaries too. So the dependency forwards the dependent's options (`options: 'forward'`),
// which carry `waveOf: <dependent>`; a task Nx created for a selected project keeps its own
// options, so a deploy whose waveOf names another host knows it was only added for the order,
// and does nothing.
import type { TargetDependencyConfig, Task } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** host name -> wave, for every host file of one graph computation. */
export type WaveIndex = Map<string, number>;

/** deployment.wave read leniently: host.json is validated later, per host, where it fails alone. */
export function readWaves(workspaceRoot: string, hostFiles: string[]): WaveIndex {
  const waves: WaveIndex = new Map();
  for (const file of hostFiles) {
    let wave = 0;
    try {
      const w = JSON.parse(readFileSync(join(workspaceRoot, file), 'utf-8'))?.deployment?.wave;
      if (Number.isInteger(w) && w > 0) wave = w;
    } catch {
      // A host.json that does not load is wave 0; its own targets report the problem.
    }
    waves.set(basename(dirname(file)), wave);
  }
  return waves;
}

/** The hosts of the highest wave below this host's, sorted; [] for the lowest wave. */
export function previousWave(host: string, waves: WaveIndex): string[] {
  const mine = waves.get(host) ?? 0;
  const lower = [...waves.values()].filter((w) => w < mine);
  if (lower.length === 0) return [];
  const prev = Math.max(...lower);
  return [...waves.entries()]
    .filter(([, w]) => w === prev)
    .map(([h]) => h)
    .sort();
}

/** The dependsOn entry and the options marker of a host's deploy target ({} in the lowest wave). */
export function waveDependency(host: string, waves: WaveIndex, deployTarget: string): { dependsOn?: TargetDependencyConfig; options?: { waveOf: string } } {
  const projects = previousWave(host, waves);
  if (projects.length === 0) return {};
  return { dependsOn: { target: deployTarget, projects, options: 'forward' }, options: { waveOf: host } };
}

/** True for a deploy task Nx added only to keep wave order: its project was not selected. */
export function addedForWave(options: { waveOf?: string }, project: string | undefined): boolean {
  return options.waveOf !== undefined && options.waveOf !== project;
}

/** The same test on a task of a finished run (its overrides hold the forwarded options). */
export function taskAddedForWave(task: Pick<Task, 'overrides' | 'target'>): boolean {
  return addedForWave(task.overrides ?? {}, task.target.project);
}
