// Which hosts a deploy batch took on, and in which process. A batch process that dies (killed,
// out of memory) writes no result for its unfinished hosts; Nx then marks each of them failed
// with no word of why. The fleet summary reads this record to say why, per host.
import { readJsonFile, writeJsonFile } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DEPLOY } from './result';

const FILE = 'batch.json';

export interface BatchRecord {
  pid: number;
  startedAt: number;
  hosts: string[];
}

export function writeBatchRecord(root: string, record: BatchRecord): void {
  writeJsonFile(join(root, DIST_DEPLOY, FILE), record, { appendNewLine: true });
}

/** The batch of the run that started at startTime, if one ran. */
export function readBatchRecord(root: string, startTime: number): BatchRecord | undefined {
  const file = join(root, DIST_DEPLOY, FILE);
  try {
    const r = existsSync(file) ? readJsonFile<BatchRecord>(file) : undefined;
    return r && r.startedAt >= startTime ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Why a host of a batch has no result of this run: the batch ended before it did. */
export function unfinishedReason(record: BatchRecord): string {
  return `the deploy batch (process ${record.pid}) ended before this host finished (killed or crashed); nothing more was done here, and a host that was activating is decided by its own watchdog`;
}
