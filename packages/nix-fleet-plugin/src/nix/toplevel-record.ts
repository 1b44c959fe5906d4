// toplevel.json: what the flake evaluates a host's system to, written by the eval target.
//
// It is the build's only cache input besides the Nix version (graph/targets.ts), so the build
// is keyed by the host's drvPath: a change that leaves the derivation as it was is a cache hit.
// Like build.json it is only a claim when it comes from a cache; the build checks it against
// this machine's own evaluation before it builds anything.
import { writeJsonFile } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostDistDir } from '../constants';
import { isStorePath, type Toplevel } from './nix-argv';

export interface ToplevelRecord extends Toplevel {
  host: string;
  system: string;
}

export function toplevelRecordPath(workspaceRoot: string, host: string): string {
  return join(workspaceRoot, hostDistDir(host), 'toplevel.json');
}

export function writeToplevelRecord(workspaceRoot: string, record: ToplevelRecord): string {
  const file = toplevelRecordPath(workspaceRoot, record.host);
  // A fixed key order: Nx hashes this file's bytes.
  const { host, system, drvPath, outPath } = record;
  writeJsonFile(file, { host, system, drvPath, outPath }, { appendNewLine: true });
  return file;
}

/** The host's toplevel.json, or undefined when there is none or it is not this host's. */
export function readToplevelRecord(workspaceRoot: string, host: string): ToplevelRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(toplevelRecordPath(workspaceRoot, host), 'utf-8')) as Partial<ToplevelRecord>;
    if (r.host === host && typeof r.system === 'string' && isStorePath(r.drvPath) && r.drvPath.endsWith('.drv') && isStorePath(r.outPath)) return r as ToplevelRecord;
  } catch {
    // Missing, torn or foreign: no record.
  }
  return undefined;
}
