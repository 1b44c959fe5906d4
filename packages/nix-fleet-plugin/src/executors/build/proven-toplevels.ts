// What a build builds: this machine's own evaluation of each host, never a cached claim.
//
// The eval target's toplevel.json keys the build's cache, but it may come from a shared cache.
// So the build takes the toplevel this machine evaluated at the eval task's hash (evaluating
// only when it has none, e.g. after a remote cache hit) and refuses a toplevel.json that
// names anything else.
import { relative } from 'node:path';
import { checkRecord } from '../../nix/build-record';
import type { Toplevel } from '../../nix/nix-argv';
import { readToplevelRecord, toplevelRecordPath } from '../../nix/toplevel-record';
import { expectedToplevels } from '../../nix/toplevels';

export async function provenToplevels(root: string, flakeRef: string, evalHashes: Record<string, string | undefined>): Promise<Record<string, Toplevel>> {
  const expected = await expectedToplevels(root, flakeRef, evalHashes);
  for (const host of Object.keys(evalHashes)) {
    const record = readToplevelRecord(root, host);
    if (record) checkRecord(record, expected[host], relative(root, toplevelRecordPath(root, host)), 'evaluation record', 'nothing was built');
  }
  return expected;
}
