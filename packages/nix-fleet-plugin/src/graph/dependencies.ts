// createDependencies: every host depends on the profile library it imports.
import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { HOSTS_DIR, HOST_FILE, PROFILES_PROJECT } from '../constants';
import type { NixFleetPluginOptions } from './options';

export const createDependencies: CreateDependencies<NixFleetPluginOptions> = (_options, context) => {

  if (!Object.values(context.projects).some((p) => p.name === PROFILES_PROJECT)) return [];
  const hostFiles = new Set(
    Object.values(context.fileMap.projectFileMap)
      .flat()
      .map((f) => f.file)
      .filter((f) => f.startsWith(`${HOSTS_DIR}/`) && f.endsWith(`/${HOST_FILE}`)),
  );
  const deps: RawProjectGraphDependency[] = [];
  for (const project of Object.values(context.projects)) {
    if (project.name && hostFiles.has(`${project.root}/${HOST_FILE}`)) {
      deps.push({ source: project.name, target: PROFILES_PROJECT, type: DependencyType.implicit });
    }
  }
  return deps;
};
