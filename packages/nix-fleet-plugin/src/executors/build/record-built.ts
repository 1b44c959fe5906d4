// What a finished build leaves behind, the same from the one-host executor and the batch:
// build.json, the note whether its system changed, and the line that reports it.
import { relative } from 'node:path';
import { writeBuildRecord } from '../../nix/build-record';
import { recordBuildChange } from '../../nix/build-changes';
import type { Toplevel } from '../../nix/nix-argv';

export interface Built {
  host: string;
  system: string;
  toplevel: Toplevel;
  nixVersion: string;
  /** This build task's Nx hash (the change note is keyed by it). */
  taskHash: string | undefined;
  /** The system the host's GC root pointed at before this build. */
  before: string | undefined;
}

/** Writes the records and returns the host's report line. */
export function recordBuilt(root: string, b: Built): string {
  const file = writeBuildRecord(root, { host: b.host, system: b.system, drvPath: b.toplevel.drvPath, outPath: b.toplevel.outPath, nixVersion: b.nixVersion });
  recordBuildChange(root, b.host, b.taskHash, b.before !== b.toplevel.outPath);
  return `${b.host}: ${b.toplevel.outPath}\n  record: ${relative(root, file)}`;
}
