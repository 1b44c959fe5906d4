// Checks and edits of the host lists a generator may touch (host.json, never user-written Nix).
import { updateJson, type Tree } from '@nx/devkit';
import { HOST_FILE } from '../../constants';
import type { HostJson } from '../../host/host-json';
import { existingHosts, hostRoot, listForMessage } from './inventory';
import { GeneratorInputError } from './names';

/** Checks that every host exists; `flag` names the option in the message. */
export function assertHostsExist(tree: Tree, hosts: string[], flag: string): string[] {
  const known = existingHosts(tree);
  for (const host of hosts) {
    if (!known.includes(host)) {
      throw new GeneratorInputError(
        `Unknown host "${host}" in ${flag}. Known hosts: ${listForMessage(known)}. ` +
          `Add it first with: nx g @nix-fleet/nx:host <name> --type=laptop|desktop|server|vm`,
      );
    }
  }
  return hosts;
}

/** Appends `name` to host.json's `profiles` (once), keeping every other field as it is. */
export function addProfileToHost(tree: Tree, host: string, name: string): void {
  updateJson<HostJson>(tree, `${hostRoot(host)}/${HOST_FILE}`, (json) => {
    const profiles = json.profiles ?? [];
    if (!profiles.includes(name)) json.profiles = [...profiles, name];
    return json;
  });
}
