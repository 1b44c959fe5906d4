// Command-line arguments of create-nix-fleet, checked before anything is created.
import { parseArgs } from 'node:util';
// The plugin's own name checks (compiled into this package too): one rule for both.
import { assertFleetName, parseHostsOption, type FleetHost } from '../../nix-fleet-plugin/src/host/names';

export interface CreateOptions {
  name: string;
  hosts?: string;
  /** --hosts, parsed and checked. */
  hostList: FleetHost[];
  /** false with --no-git: no repository and no first commit (a flake only sees files git tracks). */
  git: boolean;
  help: boolean;
}

export const USAGE = `Usage: npx create-nix-fleet <name> [--hosts=ares:laptop,web1:server] [--no-git]

Creates the folder <name> with a nix-fleet workspace: nx.json with @nix-fleet/nx,
package.json, flake.nix, the profile library, docs and the first hosts, committed on the
git branch main (--no-git: no repository).

--hosts  the first hosts as name:type pairs; types: laptop, desktop, server, vm.`;

export class UsageError extends Error {}

export function parseCreateArgs(argv: string[]): CreateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        hosts: { type: 'string' },
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
    return { name, hosts: values.hosts, hostList, git: !values['no-git'], help: false };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
