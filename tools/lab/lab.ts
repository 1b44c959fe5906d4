// npm run lab: three test hosts (network namespaces with their own /nix and sshd) and a fleet
// workspace wired to them, left running to try plan, deploy, rollback, generations and exec by
// hand. A detached supervisor owns the hosts (tools/lab/supervisor.ts); the state file says what
// it started; `npm run lab -- --down` removes everything.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../e2e/support/workspace';
import { table } from '../demo/say';
import { down } from './down';
import { alive, labDir, logFile, readState, type LabState } from './state';

const USAGE = 'Usage: npm run lab            start the lab (or show the running one)\n       npm run lab -- --down  remove it';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function commands(state: LabState): string[] {
  const host = state.hosts[0].name;
  const tried: Array<[string, string]> = [
    ['npx nx run-many -t deploy --mode=plan', 'what a deploy would change on each host'],
    [`npx nx run ${host}:deploy`, 'deploy one host'],
    ['npx nx run-many -t deploy', 'deploy the fleet'],
    [`npx nx run ${host}:generations`, 'its system generations'],
    [`npx nx run ${host}:rollback`, 'back to the system before its last deploy (after two deploys)'],
    ['npx nx run-many -t exec --command="readlink /run/current-system"', 'a command on every host'],
  ];
  const width = Math.max(...tried.map(([c]) => c.length));
  return [
    `  cd ${state.workspace}`,
    `  export NIX_FLEET_SSH_CONFIG=${state.sshConfigFile} NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true`,
    ...tried.map(([c, why]) => `  ${c.padEnd(width)}  # ${why}`),
  ];
}

function printReady(state: LabState, dir: string): void {
  console.log('\nLab ready: three test hosts and a fleet workspace wired to them (a fixture flake stands in for nixpkgs).\n');
  table(['fleet host', 'test host', 'address', 'namespace'], state.hosts.map((h) => [h.name, h.testHost, h.address, h.namespace]));
  console.log(`\nTry, in a shell (as root):\n${commands(state).join('\n')}`);
  console.log('Then change hosts/*/configuration.nix or packages/profiles/web.nix, git commit, and plan or deploy again.');
  console.log(`\nThe hosts keep running (supervisor pid ${state.supervisorPid}, log ${logFile(dir)}).`);
  console.log('Stop and remove everything (namespaces, processes, mounts, temp dirs):  npm run lab -- --down');
}

async function up(dir: string): Promise<number> {
  const running = readState(dir);
  if (running && alive(running.supervisorPid) && running.status === 'ready') {
    console.log('The lab is already running.');
    printReady(running, dir);
    return 0;
  }
  // A lab whose supervisor died (or that never got ready) is removed first.
  if (running && (await down(dir)) !== 0) return 1;
  mkdirSync(dir, { recursive: true });
  const log = openSync(logFile(dir), 'a');
  console.log('Starting three test hosts and a fleet workspace ...');
  const supervisor = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'supervisor.ts'), dir], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', log, log],
  });
  supervisor.unref();
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(200)) {
    const state = readState(dir);
    if (state?.status === 'ready') {
      printReady(state, dir);
      return 0;
    }
    if (state?.status === 'failed' || !alive(supervisor.pid!)) break;
  }
  const state = readState(dir);
  console.error(`lab: the lab did not start: ${state?.error ?? readFileSync(logFile(dir), 'utf-8').slice(-2000)}`);
  await down(dir);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const dir = labDir();
  if (argv.length === 0) return up(dir);
  if (argv.length === 1 && argv[0] === '--down') return down(dir);
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    console.log(USAGE);
    return 0;
  }
  console.error(`lab: unknown argument ${argv.filter((a) => a !== '--down').join(' ')}.\n${USAGE}`);
  return 2;
}

void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
