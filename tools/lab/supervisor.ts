// The lab's supervisor, started detached by `npm run lab`: it starts the test hosts and writes
// the fleet workspace, records both in the state file, then waits. The test hosts' processes
// are its children, so they live as long as it does; SIGTERM (from --down) removes them all.
import { startTestHosts } from '../../e2e/support/test-hosts';
import { createWorkspace } from '../../e2e/support/workspace';
import { demoHosts, writeDemoFleet } from '../demo/fleet';
import { readState, writeState, type LabState } from './state';

const dir = process.argv[2];

async function main(): Promise<void> {
  const state: LabState = { status: 'starting', supervisorPid: process.pid, pids: [], namespaces: [], hosts: [] };
  writeState(dir, state);
  try {
    const net = await startTestHosts(3, { namePrefix: 'lab' });
    state.namespaces = net.hosts.map((h) => h.namespace);
    state.pids = [...net.pids];
    state.hostsDir = net.dir;
    state.bridge = net.bridge;
    state.sshConfigFile = net.sshConfigFile;
    writeState(dir, state);

    const ws = createWorkspace('nix-fleet-lab-ws-');
    process.once('exit', () => ws.remove());
    state.workspace = ws.root;
    writeState(dir, state);
    const hosts = demoHosts(net);
    writeDemoFleet(ws.root, hosts, net);
    ws.commit('the lab fleet: web1, web2, ares');
    state.hosts = hosts.map((h) => ({ name: h.name, testHost: h.target.name, address: h.target.address, namespace: h.target.namespace }));
    state.status = 'ready';
    writeState(dir, state);
  } catch (e) {
    writeState(dir, { ...(readState(dir) ?? state), status: 'failed', error: (e as Error).stack ?? String(e) });
    process.exit(1);
  }
}

// Kept alive by this timer; test-hosts.ts removes the hosts on SIGTERM/SIGINT and on exit.
setInterval(() => undefined, 1 << 30);
void main();
