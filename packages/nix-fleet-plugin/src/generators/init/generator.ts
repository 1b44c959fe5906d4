// nx add @nix-fleet/nx: register the plugin in nx.json and ignore build output; safe to run twice.
import { formatFiles, type Tree } from '@nx/devkit';
import { PLUGIN_NAME, PROFILES_ROOT } from '../../constants';
import { ensureGitignore, GITIGNORE_ENTRIES, registerPlugin } from '../shared/workspace-files';
import type { InitGeneratorSchema } from './schema';

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}) {
  const registered = registerPlugin(tree);
  const ignored = ensureGitignore(tree, GITIGNORE_ENTRIES);
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    console.log(registered ? `${PLUGIN_NAME} registered in nx.json.` : `${PLUGIN_NAME} was already registered in nx.json.`);
    if (ignored.length > 0) console.log(`.gitignore now ignores ${ignored.join(', ')}.`);
    if (!tree.exists(`${PROFILES_ROOT}/default.nix`)) {
      console.log(
        `No profile library at ${PROFILES_ROOT}: copy it from node_modules/${PLUGIN_NAME}/fleet-template/, ` +
          'or start a fleet with npx create-nix-fleet.',
      );
    }
  };
}

export default initGenerator;
