// nx add @nix-fleet/nx: register the plugin in nx.json and ignore build output; safe to run twice.
// With --fleet (offered by a prompt) it also writes the fleet skeleton the workspace lacks and .sops.yaml;
// --admin-age-key alone replaces .sops.yaml's admin placeholder.
import { formatFiles, type Tree } from '@nx/devkit';
import { PLUGIN_NAME } from '../../constants';
import { ensureGitignore, GITIGNORE_ENTRIES, NO_LOCK_HINT, registerPlugin, writeFleetSkeleton } from '../shared/workspace-files';
import { ensureFleetSopsConfig } from '../shared/sops-admin';
import type { InitGeneratorSchema } from './schema';

export const SKELETON_HINT =
  'This workspace has no flake.nix, so no host can build. Add the fleet skeleton (flake.nix, packages/profiles, docs, hosts/) ' +
  `with: npx nx g ${PLUGIN_NAME}:init --fleet`;

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}) {
  // First: a bad --admin-age-key or key file throws before anything is written.
  const sops = options.fleet || options.adminAgeKey ? ensureFleetSopsConfig(tree, options.adminAgeKey) : [];
  const registered = registerPlugin(tree);
  const ignored = ensureGitignore(tree, GITIGNORE_ENTRIES);
  const skeleton = options.fleet ? writeFleetSkeleton(tree) : [];
  if (!options.skipFormat) await formatFiles(tree);
  return () => {
    console.log(registered ? `${PLUGIN_NAME} registered in nx.json.` : `${PLUGIN_NAME} was already registered in nx.json.`);
    if (ignored.length > 0) console.log(`.gitignore now ignores ${ignored.join(', ')}.`);
    if (skeleton.length > 0) console.log(`Fleet skeleton added: ${skeleton.length} files (files the workspace had are kept).`);
    for (const line of sops) console.log(line);
    if (!tree.exists('flake.nix')) console.log(SKELETON_HINT);
    else if (!tree.exists('flake.lock')) console.log(NO_LOCK_HINT);
  };
}

export default initGenerator;
