// Command-line arguments of create-nix-fleet, checked before anything is created.
import { parseArgs } from 'node:util';
// The plugin's own name checks (compiled into this package too): one rule for both.
import { assertFleetName, parseHostsOption, type FleetHost } from '../../nix-fleet-plugin/src/host/names';
import { ageRecipientOfKeyFile, checkAgeRecipient } from '../../nix-fleet-plugin/src/host/age-key';

export interface CreateOptions {
  name: string;
  hosts?: string;
  /** --hosts, parsed and checked. */
  hostList: FleetHost[];
  /** --admin-age-key, checked; the preset puts it in .sops.yaml. */
  adminAgeKey?: string;
  /** false with --no-git: no repository and no first commit (a flake only sees files git tracks). */
  git: boolean;
  help: boolean;
}

export const USAGE = `Usage: npx create-nix-fleet <name> [--hosts=ares:laptop,web1:server] [--admin-age-key=age1...] [--no-git]

Creates the folder <name> with a nix-fleet workspace: nx.json with @nix-fleet/nx,
package.json, flake.nix, the profile library, docs and the first hosts, committed on the
git branch main (--no-git: no repository).

--hosts          the first hosts as name:type pairs; types: laptop, desktop, server, vm.
--admin-age-key  your age public key (age-keygen -y ~/.config/sops/age/keys.txt): .sops.yaml
                 lets it decrypt every secret. Default: the public key of $SOPS_AGE_KEY_FILE,
                 else a placeholder to replace before the first secret.`;

export class UsageError extends Error {}

export function parseCreateArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CreateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        hosts: { type: 'string' },
        'admin-age-key': { type: 'string' },
        'no-git': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { name: '', hostList: [], git: true, help: true };
  if (positionals.length !== 1) {
    throw new UsageError(`Give the fleet's name once, e.g. npx create-nix-fleet my-fleet.\n\n${USAGE}`);
  }
  // Everything is checked here, before the folder exists or npm installs anything.
  try {
    const name = assertFleetName(positionals[0]);
    const hostList = parseHostsOption(values.hosts);
    const flag = values['admin-age-key'];
    const adminAgeKey = flag !== undefined ? checkAgeRecipient(flag, '--admin-age-key', 'age-keygen -y ~/.config/sops/age/keys.txt') : undefined;
    // The preset reads SOPS_AGE_KEY_FILE itself; checked here so a bad file fails before npm install.
    if (adminAgeKey === undefined && env.SOPS_AGE_KEY_FILE) ageRecipientOfKeyFile(env.SOPS_AGE_KEY_FILE);
    return { name, hosts: values.hosts, hostList, adminAgeKey, git: !values['no-git'], help: false };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
