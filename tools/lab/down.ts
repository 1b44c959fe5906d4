// npm run lab -- --down: stops the supervisor (which removes its test hosts and workspace), then
// removes whatever is still recorded in the state file, and checks that nothing is left.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { alive, readState, stateFile, type LabState } from './state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quiet(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return '';
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) if (!alive(pid)) return true;
  return !alive(pid);
}

/** What of the lab still exists: namespaces, the bridge, directories, the supervisor. */
export function leftovers(state: LabState, killed: number[] = []): string[] {
  const netns = quiet('ip', ['netns', 'list']);
  const links = quiet('ip', ['-o', 'link', 'show']);
  return [
    ...state.namespaces.filter((ns) => netns.split('\n').some((l) => l.split(' ')[0] === ns)).map((ns) => `namespace ${ns}`),
    ...(state.bridge && links.includes(` ${state.bridge}:`) ? [`bridge ${state.bridge}`] : []),
    ...[state.hostsDir, state.workspace].filter((d): d is string => !!d && existsSync(d)).map((d) => `directory ${d}`),
    ...(alive(state.supervisorPid) ? [`supervisor process ${state.supervisorPid}`] : []),
    ...killed.filter(alive).map((pid) => `process ${pid}`),
  ];
}

export async function down(dir: string): Promise<number> {
  const state = readState(dir);
  if (!state) {
    console.log(`No lab to stop: ${stateFile(dir)} does not exist.`);
    return 0;
  }
  if (alive(state.supervisorPid)) {
    console.log(`Stopping the lab's supervisor (pid ${state.supervisorPid}); it removes its test hosts and workspace.`);
    process.kill(state.supervisorPid, 'SIGTERM');
    if (!(await waitGone(state.supervisorPid, 15000))) {
      process.kill(state.supervisorPid, 'SIGKILL');
      await waitGone(state.supervisorPid, 5000);
    }
  }
  // Whatever the supervisor left (it was killed, or died): only processes still inside the lab's
  // own namespaces are killed, so a recorded PID that was reused by another process is spared.
  const killed: number[] = [];
  for (const ns of state.namespaces) {
    for (const pid of quiet('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      } catch {
        // already gone
      }
    }
    quiet('ip', ['netns', 'del', ns]);
  }
  for (const pid of killed) await waitGone(pid, 5000);
  if (state.bridge) quiet('ip', ['link', 'del', state.bridge]);
  for (const d of [state.hostsDir, state.workspace]) if (d) rmSync(d, { recursive: true, force: true });
  const left = leftovers(state, killed);
  if (left.length > 0) {
    console.error(`The lab is not fully removed; still there: ${left.join(', ')}. State kept in ${stateFile(dir)}.`);
    return 1;
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`Lab removed: ${state.namespaces.length} test hosts (namespaces, processes, mounts), ${state.workspace ?? 'no workspace'}, ${dir}.`);
  return 0;
}
