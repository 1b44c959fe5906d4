// The graph's edges: a host project depends on the profile library, nothing else does.
import type { CreateDependenciesContext, ProjectConfiguration } from '@nx/devkit';
import { createDependencies } from './dependencies';

/** A context with these projects (name → root) and these files per project. */
function context(projects: Record<string, string>, files: Record<string, string[]>): CreateDependenciesContext {
  const configs: Record<string, ProjectConfiguration> = Object.fromEntries(Object.entries(projects).map(([name, root]) => [name, { name, root }]));
  const projectFileMap = Object.fromEntries(Object.entries(files).map(([name, list]) => [name, list.map((file) => ({ file, hash: 'h' }))]));
  const fileMap = { projectFileMap, nonProjectFiles: [] };
  return { projects: configs, fileMap, filesToProcess: fileMap, externalNodes: {}, nxJsonConfiguration: {}, workspaceRoot: '/ws' };
}

const fleet = { profiles: 'packages/profiles', web1: 'hosts/web1', ares: 'hosts/ares' };

describe('createDependencies', () => {
  it('makes every host depend on profiles, implicitly', async () => {
    const deps = await createDependencies(undefined, context(fleet, {
      profiles: ['packages/profiles/default.nix'],
      web1: ['hosts/web1/configuration.nix', 'hosts/web1/host.json'],
      ares: ['hosts/ares/host.json'],
    }));
    expect(deps).toEqual([
      { source: 'web1', target: 'profiles', type: 'implicit' },
      { source: 'ares', target: 'profiles', type: 'implicit' },
    ]);
  });

  it('adds nothing when the workspace has no profiles project', async () => {
    expect(await createDependencies(undefined, context({ web1: 'hosts/web1' }, { web1: ['hosts/web1/host.json'] }))).toEqual([]);
  });

  it('leaves out projects without a host.json at their root, and never makes profiles depend on itself', async () => {
    const deps = await createDependencies(undefined, context(
      { ...fleet, docs: 'docs', web: 'hosts/web' },
      {
        // A host.json that belongs to no root of its own project: another folder's, or one deeper.
        profiles: ['packages/profiles/default.nix', 'packages/profiles/host.json'],
        web1: ['hosts/web1/sub/host.json'],
        ares: ['hosts/ares/configuration.nix'],
        docs: ['docs/host.json.md'],
        web: ['hosts/web1/host.json'],
      },
    ));
    expect(deps).toEqual([]);
  });

  it('skips a project that has no files in the file map', async () => {
    expect(await createDependencies(undefined, context(fleet, { profiles: [], ares: ['hosts/ares/host.json'] }))).toEqual([
      { source: 'ares', target: 'profiles', type: 'implicit' },
    ]);
  });
});
