import { join } from 'node:path';
import { hostGenerator } from '../host/generator';
import { readMachineTypes } from './machine-types';
import { existingProfiles, existingRoles } from './inventory';
import { nixFilesIn, parseNixFiles } from '../../../testing/nix-parse';
import { emptyTree } from '../../../testing/test-tree';
import { copyIntoTree, PLUGIN_ROOT } from './workspace-files';

// The real profile library of this repository, as a fleet made by the preset has it.
function treeWithRealLibrary() {
  const tree = emptyTree();
  copyIntoTree(tree, join(PLUGIN_ROOT, '..', 'profiles'), 'packages/profiles');
  return tree;
}

describe('inventory of the real profile library', () => {
  it('finds the profiles that declare profiles.<name>, not helper modules', () => {
    const profiles = existingProfiles(treeWithRealLibrary());
    expect(profiles).toEqual(expect.arrayContaining(['base', 'desktop', 'development', 'power-user', 'server', 'home']));
    for (const notAProfile of ['machine-type', 'fleet', 'unfree', 'default', 'lib']) expect(profiles).not.toContain(notAProfile);
  });

  it('finds the server roles', () => {
    expect(existingRoles(treeWithRealLibrary())).toEqual(expect.arrayContaining(['general', 'web', 'database', 'monitoring']));
  });

  it('every profile a new host lists by type exists in the library, and the hosts parse', async () => {
    const tree = treeWithRealLibrary();
    const known = existingProfiles(tree);
    // Every type's preset names a profile of the library (its first segment: "power-user.scientific.octave").
    for (const listed of Object.values(readMachineTypes(tree)).flatMap((t) => t.profiles)) expect(known).toContain(listed.split('.')[0]);
    for (const type of ['laptop', 'desktop', 'server', 'vm'] as const) {
      await hostGenerator(tree, { name: `${type}1`, type, roles: type === 'server' ? 'web,database' : undefined, profiles: 'gaming' });
    }
    expect(await parseNixFiles(tree, nixFilesIn(tree, 'hosts'))).toEqual([]);
  });
});
