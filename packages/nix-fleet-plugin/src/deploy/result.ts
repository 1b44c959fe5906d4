// The outcome of one host's deploy, kept as JSON under dist/deploy/ for the fleet summary.
import { readJsonFile, writeJsonFile } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChangeCounts } from '../closure/version';
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
  /** Package changes from the previous system, for deployed hosts (as a plan counts them). */
  packages?: ChangeCounts;
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
  writeJsonFile(file, result, { appendNewLine: true });
  return file;
}

export function readResult(workspaceRoot: string, host: string): DeployResult | undefined {
  const file = resultPath(workspaceRoot, host);
  if (!existsSync(file)) return undefined;
  try {
    return readJsonFile<DeployResult>(file);
  } catch {
    return undefined;
  }
}
