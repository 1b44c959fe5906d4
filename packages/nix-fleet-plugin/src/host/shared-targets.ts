// Two host.json files that name the same machine: deploying one would give that machine the
// other's system (a copied host.json whose targetHost was not changed is the usual cause).
//
// Compared as machines, not strings: the name ssh really connects to (`ssh -G`, so an alias of
// the operator's ssh config counts by its HostName), case-folded, IPv6 in one spelling, and
// every address it resolves to. Every address of this machine is one machine.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS_DIR, HOST_FILE } from '../constants';
import { effectiveSshConfig, type ConfigQueryTarget } from '../ssh/effective-config';
import { isThisMachine, normaliseAddress, resolveAddresses } from './machine-address';
import { parseTargetAddress } from './target-address';

export interface Machine {
  /** What ssh connects to, normalised. */
  name: string;
  port: number;
  addresses: string[];
  /** This machine (loopback, its names or its addresses). */
  local: boolean;
}

type MachineTarget = ConfigQueryTarget;

const known = new Map<string, Promise<Machine>>();

/** The machine a target reaches, as far as this machine can tell without connecting (once a process). */
export function machineOf(target: MachineTarget): Promise<Machine> {
  const key = JSON.stringify([target.host, target.port, target.user, target.sshOptions, target.configFile]);
  let machine = known.get(key);
  if (!machine) known.set(key, (machine = lookUpMachine(target)));
  return machine;
}

async function lookUpMachine(target: MachineTarget): Promise<Machine> {
  const cfg = await effectiveSshConfig(target);
  const name = normaliseAddress(cfg?.hostname ?? target.host);
  const port = Number(cfg?.port ?? target.port ?? 22) || 22;
  const addresses = await resolveAddresses(name);
  return { name, port, addresses, local: (await isThisMachine(name)) || (await isThisMachine(target.host)) };
}

export function sameMachine(a: Machine, b: Machine): boolean {
  if (a.port !== b.port) return false;
  return a.name === b.name || (a.local && b.local) || a.addresses.some((x) => b.addresses.includes(x));
}

/**
 * Machines the deploys of one nx run already looked up, in a file of the run: every deploy task
 * compares itself with every host, and one `ssh -G` per host and task would grow as hosts².
 */
function runMachines(root: string, runId: string | undefined, configFile: string | undefined) {
  const file = runId && join(root, '.nx', 'nix-fleet', 'machines', `${runId}-${createHash('sha256').update(configFile ?? '').digest('hex').slice(0, 8)}.json`);
  let saved: Record<string, Machine> = {};
  try {
    if (file) saved = JSON.parse(readFileSync(file, 'utf-8'));
  } catch {
    // None yet, or torn: look up again.
  }
  return {
    get: (key: string) => saved[key],
    save(found: Record<string, Machine>) {
      if (!file) return;
      const dir = join(file, '..');
      mkdirSync(dir, { recursive: true });
      // Other runs' files a day old are no use to anyone.
      for (const name of readdirSync(dir)) {
        try {
          if (statSync(join(dir, name)).mtimeMs < Date.now() - 86_400_000) rmSync(join(dir, name), { force: true });
        } catch {
          // Another task removed it first.
        }
      }
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ ...saved, ...found }));
      renameSync(tmp, file);
    },
  };
}

/** The other hosts whose host.json deploys to the same machine and port as `machine`. */
export async function hostsSharingTarget(workspaceRoot: string, host: string, machine: Machine, configFile?: string, runId?: string): Promise<string[]> {
  const dir = join(workspaceRoot, HOSTS_DIR);
  if (!existsSync(dir)) return [];
  const cache = runMachines(workspaceRoot, runId, configFile);
  const found: Record<string, Machine> = {};
  const others: Array<Promise<string | undefined>> = [];
  for (const other of readdirSync(dir).sort()) {
    const file = join(dir, other, HOST_FILE);
    if (other === host || !existsSync(file)) continue;
    let theirs;
    try {
      const deployment = JSON.parse(readFileSync(file, 'utf-8'))?.deployment;
      if (typeof deployment?.targetHost !== 'string') continue;
      theirs = parseTargetAddress(deployment.targetHost, 'targetHost', { port: deployment.port });
    } catch {
      // A broken host.json is that host's problem (its own targets say so), not this deploy's.
      continue;
    }
    const key = JSON.stringify([theirs.host, theirs.port]);
    const known = cache.get(key);
    const lookup = known ? Promise.resolve(known) : machineOf({ host: theirs.host, port: theirs.port, configFile }).then((m) => (found[key] = m));
    others.push(lookup.then((m) => (sameMachine(m, machine) ? other : undefined)));
  }
  const twins = (await Promise.all(others)).filter((h): h is string => h !== undefined);
  if (Object.keys(found).length > 0) cache.save(found);
  return twins;
}
