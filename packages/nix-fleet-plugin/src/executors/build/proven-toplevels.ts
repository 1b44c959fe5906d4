// What a build builds: this machine's own evaluation of each host, never a cached claim.
//
// The eval target's toplevel.json keys the build's cache, but it may come from a shared cache.
// So the build takes the toplevel this machine evaluated at the eval task's hash and refuses a
// toplevel.json that names anything else. When this machine has none (the eval tasks were
// remote cache hits), the builds of the run share one evaluation as eval tasks do.
import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { checkRecord } from '../../nix/build-record';
import { sharedToplevel, type EvalPeer } from '../../nix/fleet-eval';
import type { Toplevel } from '../../nix/nix-argv';
import { readToplevelRecord, toplevelRecordPath } from '../../nix/toplevel-record';
import { evalPeers } from '../task-hash';

/** Each host's toplevel, with the system eval recorded (build.json takes it from there, not host.json). */
export async function provenToplevels(context: ExecutorContext, flake: string | undefined, flakeRef: string, hosts: EvalPeer[]): Promise<Record<string, Toplevel & { system?: string }>> {
  const root = context.root;
  const peers = evalPeers(context, flake ?? '.');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const expected: Record<string, Toplevel & { system?: string }> = {};
  for (const own of hosts) {
    expected[own.host] = await sharedToplevel(own, peers, { root, flakeRef, log });
    // Without an eval task in the run (--excludeTaskDependencies), toplevel.json keyed nothing.
    const record = own.key ? readToplevelRecord(root, own.host) : undefined;
    if (record) {
      checkRecord(record, expected[own.host], relative(root, toplevelRecordPath(root, own.host)), 'evaluation record', 'nothing was built');
      expected[own.host] = { ...expected[own.host], system: record.system };
    }
  }
  return expected;
}
