// createDependencies: every host depends on the profile library it imports.
import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { HOST_FILE, PROFILES_PROJECT } from '../constants';
import type { NixFleetPluginOptions } from './options';

/** devkit's DependencyType.implicit, without loading devkit on the graph path. */
const IMPLICIT = 'implicit' as DependencyType.implicit;

export const createDependencies: CreateDependencies<NixFleetPluginOptions> = (_options, context) => {
  const files = context.fileMap.projectFileMap;
  if (!files[PROFILES_PROJECT]) return [];
  const deps: RawProjectGraphDependency[] = [];
  // Nx keys context.projects by project name.
  for (const [name, project] of Object.entries(context.projects)) {
    const hostFile = `${project.root}/${HOST_FILE}`;
    if (name !== PROFILES_PROJECT && files[name]?.some((f) => f.file === hostFile)) {
      deps.push({ source: name, target: PROFILES_PROJECT, type: IMPLICIT });
    }
  }
  return deps;
};
