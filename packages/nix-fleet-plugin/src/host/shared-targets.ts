// Two host.json files that name the same machine: deploying one would give that machine the
// other's system (a copied host.json whose targetHost was not changed is the usual cause).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS_DIR, HOST_FILE } from '../constants';
import { parseTargetAddress } from './target-address';

/** The other hosts whose host.json deploys to the same address and port. */
export function hostsSharingTarget(workspaceRoot: string, host: string, address: { host: string; port?: number }): string[] {
  const dir = join(workspaceRoot, HOSTS_DIR);
  if (!existsSync(dir)) return [];
  const same: string[] = [];
  for (const other of readdirSync(dir).sort()) {
    const file = join(dir, other, HOST_FILE);
    if (other === host || !existsSync(file)) continue;
    try {
      const deployment = JSON.parse(readFileSync(file, 'utf-8'))?.deployment;
      if (typeof deployment?.targetHost !== 'string') continue;
      const theirs = parseTargetAddress(deployment.targetHost, 'targetHost', { port: deployment.port });
      if (theirs.host === address.host && (theirs.port ?? 22) === (address.port ?? 22)) same.push(other);
    } catch {
      // A broken host.json is that host's problem (its own targets say so), not this deploy's.
    }
  }
  return same;
}
