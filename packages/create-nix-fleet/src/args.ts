// Command-line arguments of create-nix-fleet, checked before anything is created.
import { parseArgs } from 'node:util';

export interface CreateOptions {
  name: string;
  hosts?: string;
  /** Skip git init and git add (a flake only sees files git tracks). */
  git: boolean;
  help: boolean;
}

export const USAGE = `Usage: npx create-nix-fleet <name> [--hosts=ares:laptop,web1:server] [--no-git]

Creates the folder <name> with a nix-fleet workspace: nx.json with @nix-fleet/nx,
package.json, flake.nix, the profile library, docs and the first hosts.`;

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

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
  if (values.help) return { name: '', git: true, help: true };
  if (positionals.length !== 1) {
    throw new UsageError(`Give the fleet's name once, e.g. npx create-nix-fleet my-fleet.\n\n${USAGE}`);
  }
  const name = positionals[0];
  if (!NAME.test(name)) {
    throw new UsageError(
      `Invalid name "${name}": it becomes the folder and the package.json name, so use lowercase letters, ` +
        'digits, ".", "_" and "-", e.g. my-fleet.',
    );
  }
  return { name, hosts: values.hosts, git: !values['no-git'], help: false };
}
