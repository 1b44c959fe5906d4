// The lab's state file: what `npm run lab` started, so `--down` (another process, later) can remove it.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LabHost {
  /** The fleet host (Nx project) and the test host it deploys to. */
  name: string;
  testHost: string;
  address: string;
  namespace: string;
}

export interface LabState {
  status: 'starting' | 'ready' | 'failed';
  /** The supervisor: owns the test hosts; SIGTERM makes it remove them. */
  supervisorPid: number;
  /** Every process the test hosts run (anchors, sshd), for --down when the supervisor is gone. */
  pids: number[];
  namespaces: string[];
  bridge?: string;
  /** The test hosts' temp dir (stores, keys, ssh config) and the fleet workspace. */
  hostsDir?: string;
  workspace?: string;
  sshConfigFile?: string;
  hosts: LabHost[];
  error?: string;
}

/** Where the lab keeps its state and log; NIX_FLEET_LAB_DIR moves it (tests use their own). */
export function labDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NIX_FLEET_LAB_DIR || join(tmpdir(), 'nix-fleet-lab');
}

export const stateFile = (dir: string) => join(dir, 'state.json');
export const logFile = (dir: string) => join(dir, 'supervisor.log');

export function readState(dir: string): LabState | undefined {
  const file = stateFile(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf-8')) as LabState) : undefined;
}

/** Written whole and renamed, so a reader never sees half a file. */
export function writeState(dir: string, state: LabState): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${stateFile(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, stateFile(dir));
}

/** True while pid runs. A zombie (killed, not yet reaped: orphans go to a PID 1 that may reap late) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
