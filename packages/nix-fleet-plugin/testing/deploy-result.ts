// A host's deploy result as the fleet summary reads it: deployed with switch, unless told otherwise.
import type { DeployResult } from '../src/deploy/result';

export function deployResult(host: string, over: Partial<DeployResult> = {}): DeployResult {
  return { host, status: 'deployed', mode: 'switch', outPath: `/nix/store/x-${host}`, copied: true, durationMs: 1500, finishedAt: 2000, ...over };
}
