// The outcome of one host's deploy, kept as JSON under dist/deploy/ for the fleet summary.
import type { ChangeCounts } from '../closure/version';
import { readHostResult, writeHostResult } from '../summary/host-results';

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
  /** The step that failed: preflight (refused before any host was touched), connect, lock, copy, activation, confirm, health check, rollback; interrupted (stopped from outside: SIGINT, SIGTERM, nx gone). */
  step?: string;
  message?: string;
  rolledBackBy?: 'deployer' | 'watchdog';
  /** The system the host runs when the deploy ends, read back from the host ('' if unknown). */
  running?: string;
  /** Package changes from the previous system, for deployed hosts (as a plan counts them). */
  packages?: ChangeCounts;
  /** What switch-to-configuration dry-activate said it would do ("would restart the following units: ..."). */
  wouldDo?: string[];
  durationMs: number;
  finishedAt: number;
}

export const SUCCESS: DeployStatus[] = ['deployed', 'unchanged', 'dry-activated'];

export function writeResult(workspaceRoot: string, result: DeployResult): string {
  return writeHostResult(workspaceRoot, DIST_DEPLOY, result);
}

export function readResult(workspaceRoot: string, host: string): DeployResult | undefined {
  return readHostResult<DeployResult>(workspaceRoot, DIST_DEPLOY, host);
}
