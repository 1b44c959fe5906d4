// The outcome of one host's deploy, kept as JSON under dist/deploy/ for the fleet summary.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTNAME_PATTERN } from '../constants';

export const DIST_DEPLOY = 'dist/deploy';

export type DeployStatus = 'deployed' | 'unchanged' | 'dry-activated' | 'rolled-back' | 'failed';

export interface DeployResult {
  host: string;
  status: DeployStatus;
  mode: string;
  outPath: string;
  /** The running system before the deploy. */
  previous?: string;
  /** Whether nix copy ran (false for unchanged hosts and refused deploys). */
  copied: boolean;
  /** The step that failed: lock, copy, activation, confirm, health check, rollback. */
  step?: string;
  message?: string;
  rolledBackBy?: 'deployer' | 'watchdog';
  /** The system the host runs when the deploy ends, read back from the host ('' if unknown). */
  running?: string;
  durationMs: number;
  finishedAt: number;
}

export const SUCCESS: DeployStatus[] = ['deployed', 'unchanged', 'dry-activated'];

export function resultPath(workspaceRoot: string, host: string): string {
  if (!HOSTNAME_PATTERN.test(host)) throw new Error(`"${host}" is not a valid host name (lowercase letters, digits and "-").`);
  return join(workspaceRoot, DIST_DEPLOY, 'hosts', `${host}.json`);
}

export function writeResult(workspaceRoot: string, result: DeployResult): string {
  const file = resultPath(workspaceRoot, result.host);
  mkdirSync(join(workspaceRoot, DIST_DEPLOY, 'hosts'), { recursive: true });
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

export function readResult(workspaceRoot: string, host: string): DeployResult | undefined {
  const file = resultPath(workspaceRoot, host);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf-8')) as DeployResult;
  } catch {
    return undefined;
  }
}
