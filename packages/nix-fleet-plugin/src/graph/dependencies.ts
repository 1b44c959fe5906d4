// createDependencies: every host depends on the profile library it imports.
import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { HOST_FILE, PROFILES_PROJECT } from '../constants';
import type { NixFleetPluginOptions } from './options';

export const createDependencies: CreateDependencies<NixFleetPluginOptions> = (_options, context) => {
  const files = context.fileMap.projectFileMap;
  if (!files[PROFILES_PROJECT]) return [];
  const deps: RawProjectGraphDependency[] = [];
  for (const project of Object.values(context.projects)) {
    const hostFile = `${project.root}/${HOST_FILE}`;
    if (project.name && project.name !== PROFILES_PROJECT && files[project.name]?.some((f) => f.file === hostFile)) {
      deps.push({ source: project.name, target: PROFILES_PROJECT, type: DependencyType.implicit });
    }
  }
  return deps;
};
