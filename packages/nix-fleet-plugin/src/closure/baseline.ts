// Where a host's closure is compared from: the committed baseline, else the previous report.
import { readJsonFile, writeJsonFile } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS_DIR, hostDistDir } from '../constants';
import type { ClosureRecord } from './path-info';

export const BASELINE_FILE = 'closure-baseline.json';
export const REPORT_FILE = 'closure.json';

export function baselinePath(host: string): string {
  return `${HOSTS_DIR}/${host}/${BASELINE_FILE}`;
}

export function reportPath(host: string): string {
  return `${hostDistDir(host)}/${REPORT_FILE}`;
}

export interface Baseline {
  record: ClosureRecord;
  /** Workspace-relative file it came from. */
  file: string;
  source: 'baseline' | 'previous';
}

function readRecord(root: string, file: string): ClosureRecord {
  const data = readJsonFile<Partial<ClosureRecord>>(join(root, file));
  if (typeof data.closureSize !== 'number' || !Array.isArray(data.paths) || typeof data.outPath !== 'string') {
    throw new Error(`${file} is not a closure record (needs outPath, closureSize and paths). Recreate it with --update-baseline.`);
  }
  return data as ClosureRecord;
}

export function readBaseline(root: string, host: string): Baseline | undefined {
  const committed = baselinePath(host);
  if (existsSync(join(root, committed))) return { record: readRecord(root, committed), file: committed, source: 'baseline' };
  const previous = reportPath(host);
  if (existsSync(join(root, previous))) return { record: readRecord(root, previous), file: previous, source: 'previous' };
  return undefined;
}

/** The baseline keeps only what a later diff needs, so it stays small and reviewable. */
export function writeBaseline(root: string, record: ClosureRecord): string {
  const file = baselinePath(record.host);
  const { host, outPath, closureSize, pathCount, paths } = record;
  writeJson(join(root, file), { host, outPath, closureSize, pathCount, paths });
  return file;
}

export function writeJson(path: string, data: object): void {
  writeJsonFile(path, data, { appendNewLine: true });
}
