// What a host's profile switches evaluate to (e2e/support/nix/profile-switches.nix, real nix-instantiate).
import { join } from 'node:path';
import { evalNix } from './fleet-safety';

export interface Switch {
  value: unknown;
  /** Priority of the winning definitions (100 plain, 1000 mkDefault, 50 mkForce); null when only the default. */
  priority: number | null;
  /** Different values at the winning priority: NixOS would refuse with "conflicting definition values". */
  conflict: boolean;
}

const EVALUATOR = join(__dirname, 'nix', 'profile-switches.nix');

/** Each dotted profile path (e.g. "power-user.scientific.octave") of `host` in the fleet at `root`. */
export function profileSwitches(root: string, host: string, paths: string[]): Record<string, Switch> {
  return evalNix<Record<string, Switch>>(
    root,
    `{ root }: import ${EVALUATOR} { inherit root; name = ${JSON.stringify(host)}; paths = builtins.fromJSON ${JSON.stringify(JSON.stringify(paths))}; }`,
  );
}

/** The paths that are on, in the order asked, for compact assertions. */
export function switchedOn(root: string, host: string, paths: string[]): string[] {
  const switches = profileSwitches(root, host, paths);
  return paths.filter((p) => switches[p].value === true);
}
