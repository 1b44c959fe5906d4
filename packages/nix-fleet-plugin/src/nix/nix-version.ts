// The Nix version, recorded in build.json so a record says which Nix produced it.
import { run } from '../process/run';

let cached: Promise<string> | undefined;

export function nixVersion(): Promise<string> {
  cached ??= run('nix', ['--version']).then((r) => r.stdout.trim().replace(/^nix \(Nix\) /, ''));
  return cached;
}
