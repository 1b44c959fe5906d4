// Per-host outcomes as JSON under dist/<operation>/hosts/<host>.json: each task writes its
// own, and the fleet table after run-many reads them back.
import { readJsonFile } from '@nx/devkit';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkedHostName } from '../constants';

/** dist is e.g. "dist/deploy"; the host name is checked before it names a file. */
export function hostResultPath(workspaceRoot: string, dist: string, host: string): string {
  return join(workspaceRoot, dist, 'hosts', `${checkedHostName(host)}.json`);
}

export function writeHostResult<T extends { host: string }>(workspaceRoot: string, dist: string, result: T): string {
  const file = hostResultPath(workspaceRoot, dist, result.host);
  // Written beside and renamed over: a fleet table or a test reading while a host finishes
  // sees the old result or the new one, never a truncated file.
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

export function readHostResult<T extends object>(workspaceRoot: string, dist: string, host: string): T | undefined {
  const file = hostResultPath(workspaceRoot, dist, host);
  if (!existsSync(file)) return undefined;
  try {
    return readJsonFile<T>(file);
  } catch {
    return undefined;
  }
}
