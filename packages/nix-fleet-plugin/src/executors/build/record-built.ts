// What a finished build leaves behind, the same from the one-host executor, the batch and a
// host built on its target: build.json, the note whether its system changed, and the line
// that reports it.
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
  /** deployment.buildOn "remote": nothing was built here. */
  buildOn?: 'remote';
}

/** Writes the records and returns build.json's path, relative to the workspace. */
export function recordBuilt(root: string, b: Built): string {
  const file = writeBuildRecord(root, { host: b.host, system: b.system, drvPath: b.toplevel.drvPath, outPath: b.toplevel.outPath, nixVersion: b.nixVersion, ...(b.buildOn ? { buildOn: b.buildOn } : {}) });
  recordBuildChange(root, b.host, b.taskHash, b.before !== b.toplevel.outPath);
  return relative(root, file);
}

/** The line a built host is reported with. */
export const builtLine = (host: string, outPath: string, record: string) => `${host}: ${outPath}\n  record: ${record}`;
