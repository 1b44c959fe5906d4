// Whether a build that ran gave its host a new system, for the summary after the run.
//
// A build runs when its key (the drvPath) is not in the Nx cache, but also on --skip-nx-cache,
// a new Nix version or new options: then it gives the same system again. The build says which
// under the hash of its task, so the summary counts only real changes.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedHostName } from '../constants';

const CHANGES_DIR = '.nx/nix-fleet/builds';

const fileOf = (root: string, host: string) => join(root, CHANGES_DIR, `${checkedHostName(host)}.json`);

export function recordBuildChange(root: string, host: string, taskHash: string | undefined, changed: boolean): void {
  if (!taskHash) return;
  mkdirSync(join(root, CHANGES_DIR), { recursive: true });
  writeFileSync(fileOf(root, host), `${JSON.stringify({ hash: taskHash, changed })}\n`);
}

/** What the build of `host` at `taskHash` said; undefined when it said nothing. */
export function buildChanged(root: string, host: string, taskHash: string | undefined): boolean | undefined {
  try {
    const file = fileOf(root, host);
    if (!taskHash) return undefined;
    const saved = JSON.parse(readFileSync(file, 'utf-8'));
    return saved.hash === taskHash && typeof saved.changed === 'boolean' ? saved.changed : undefined;
  } catch {
    return undefined;
  }
}
