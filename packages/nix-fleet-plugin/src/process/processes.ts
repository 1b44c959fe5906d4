// Other processes on this machine: whether one is alive, when one started, and waiting.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this pid exists. Signal 0 only checks; EPERM means it exists as another user's. */
export function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** When a process started, as a token that differs between two processes given the same pid. */
export function processStartToken(pid: number): string {
  try {
    // Field 22 of /proc/<pid>/stat (start time in clock ticks), counted after the command name in parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    // No /proc (macOS): ps says when the process started.
    const started = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf-8' }).stdout?.trim() ?? '';
    return createHash('sha256').update(started).digest('hex').slice(0, 12);
  }
}
