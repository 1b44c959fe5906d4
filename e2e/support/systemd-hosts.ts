// Test hosts that behave like NixOS machines: systemd as PID 1 (systemd-nspawn) on a network
// namespace like test-hosts.ts's, sshd and nix-daemon as units, the store owned by the daemon,
// and a `deploy` user in the sudo group with passwordless sudo for what nix-fleet runs.
//
// The container's root is a directory: /usr bind-mounted read-only from this machine, bin, sbin,
// lib and lib64 linking into it, and a copy of /etc (see systemd-root.ts). This machine's PID 1
// is not systemd, hence --register=no --keep-unit. Teardown is kill -9 of the container's PID 1
// (a SIGTERM starts a slow poweroff), then of nspawn; the root is removed only once nspawn is
// gone, since its /usr is this machine's /usr while it runs.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeSystemdRoot, DEPLOY_USER } from './systemd-root';
import { addBridge, addHostNamespace, networkOf, quiet, runLayout, sh, sshConfigBlock, teardownOnExit, waitForPort, type TestHost, type TestNetwork } from './test-hosts';

export { DEPLOY_USER, SUDOERS_FILE } from './systemd-root';

/**
 * Started detached with the run: when this process dies without tearing down (SIGKILL, a crash,
 * an exit jest's sandbox does not report), it does the teardown. $1 owner PID, $2 the run's
 * folder (it holds nspawn.pids), $3 the bridge, then the namespaces. It ends with the folder.
 */
export const REAPER = `
owner=$1; dir=$2; bridge=$3; shift 3
while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -d "$dir" ] || exit 0
# Lines "role pid start" (an init, then its nspawn): a pid names the same process only while its
# start time in /proc/PID/stat (field 22) is the one recorded; pids are reused.
ours() { st=$2; s=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1; set -- $s; [ "$1" != Z ] || return 1; shift 19; [ "$1" = "$st" ]; }
# The container's init first (it takes the whole container with it), even when its nspawn is gone.
ids=$(while read -r role n st; do if ours "$n" "$st"; then [ "$role" != init ] || kill -9 "$n"; echo "$n $st"; fi; done < "$dir/nspawn.pids" 2>/dev/null)
# Each gets up to 5 s to end by itself; SIGKILL only to a process that is still the recorded one.
echo "$ids" | while read -r n st; do
  [ -n "$n" ] || continue
  i=0; while ours "$n" "$st" && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  if ours "$n" "$st"; then kill -9 "$n" 2>/dev/null; fi
done
for ns in "$@"; do ip netns del "$ns" 2>/dev/null; done
ip link del "$bridge" 2>/dev/null
sleep 0.5
if ! echo "$ids" | while read -r n st; do [ -z "$n" ] || ! ours "$n" "$st" || exit 1; done; then echo "a container still runs: left $dir" >&2; exit 1; fi
rm -rf "$dir"
`;

export interface SystemdHost extends TestHost {
  /** The container's root directory on this machine. */
  root: string;
  /** systemd-nspawn's PID and the container's PID 1 (its child). */
  nspawnPid: number;
  initPid: number;
  /** journalctl inside the container, e.g. ['-u', 'ssh.service']. */
  journal(args: string[]): Promise<string>;
}

export interface SystemdNetwork extends TestNetwork {
  kind: 'systemd';
  hosts: SystemdHost[];
}

/** Whether pid runs (a zombie does not). */
export function alive(pid: number): boolean {
  try {
    // A zombie is gone for our purpose: it holds no mounts and runs nothing.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function kill9(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Waits (synchronously: teardown also runs in an exit handler) until pid is gone; false after timeoutMs. */
function waitGone(pid: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    execFileSync('sleep', ['0.05']);
  }
  return true;
}

/** A process's start time (field 22 of /proc/PID/stat): with the pid, it names one process for good. */
export function startOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf-8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A process recorded as pid and start time: still running (pids are reused, so the pid alone says nothing). */
interface Recorded {
  pid: number;
  start?: string;
}

function running(p: Recorded | undefined): p is Recorded {
  return p !== undefined && p.start !== undefined && alive(p.pid) && startOf(p.pid) === p.start;
}

const record = (pid: number): Recorded => ({ pid, start: startOf(pid) });

function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf-8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids[0];
  } catch {
    return undefined;
  }
}

async function waitForInit(nspawnPid: number, name: string): Promise<number> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const pid = childOf(nspawnPid);
    if (pid && readFileSync(`/proc/${pid}/comm`, 'utf-8').trim() === 'systemd') return pid;
    if (!alive(nspawnPid) || Date.now() > deadline) throw new Error(`systemd-nspawn for ${name} did not start systemd`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs argv in every namespace of the container (as its root); rejects with stderr. */
function nsExec(name: string, initPid: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('nsenter', ['-t', String(initPid), '-m', '-u', '-i', '-n', '-p', '--', ...args], { encoding: 'utf-8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${name}: ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}

export async function startSystemdHosts(count: number, opts: { namePrefix?: string } = {}): Promise<SystemdNetwork> {
  const layout = runLayout('nix-fleet-systemd');
  const { prefix, tag, dir, bridge, identityFile, knownHostsFile, sshConfigFile } = layout;
  const namePrefix = opts.namePrefix ?? 'sd';
  const namespaces: string[] = [];
  const containers: { nspawn: Recorded; init?: Recorded }[] = [];
  let done = false;

  const teardownSync = () => {
    if (done) return;
    done = true;
    unregister();
    let safeToRemove = true;
    for (const c of containers) {
      // The init even when its nspawn died: it would run on, with the run's folder gone. A process
      // that ended before teardown may have left its pid to another program: only ours are killed.
      const child = c.init === undefined && running(c.nspawn) ? childOf(c.nspawn.pid) : undefined;
      const init = c.init ?? (child === undefined ? undefined : record(child));
      if (running(init)) {
        kill9(init.pid);
        if (!waitGone(init.pid, 5000)) safeToRemove = false;
      }
      if (!running(c.nspawn)) continue;
      // SIGKILL only to the recorded nspawn: its pid may have gone to another program meanwhile.
      if (!waitGone(c.nspawn.pid, 5000) && running(c.nspawn)) kill9(c.nspawn.pid);
      if (!waitGone(c.nspawn.pid, 5000) && running(c.nspawn)) safeToRemove = false;
    }
    for (const ns of namespaces) quiet('ip', ['netns', 'del', ns]);
    quiet('ip', ['link', 'del', bridge]);
    // Never remove a root nspawn may still have /usr bind-mounted in.
    if (safeToRemove) rmSync(dir, { recursive: true, force: true });
    else process.stderr.write(`systemd test hosts: nspawn did not end; left ${dir} in place\n`);
  };
  const unregister = teardownOnExit(teardownSync);

  try {
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nix-fleet-test', '-f', identityFile]);
    const publicKey = readFileSync(`${identityFile}.pub`, 'utf-8');
    addBridge(bridge, prefix);
    const names = Array.from({ length: count }, (_, i) => `${namePrefix}${i + 1}`);
    const nsOf = (name: string) => `nf-${process.pid}-${tag}-${name}`;
    spawn('sh', ['-c', REAPER, 'nix-fleet-reaper', String(process.pid), dir, bridge, ...names.map(nsOf)], { stdio: 'ignore', detached: true }).unref();
    const hosts: SystemdHost[] = [];
    let known = '';
    let config = '';
    for (let i = 0; i < count; i++) {
      const name = names[i];
      const address = `${prefix}.${10 + i}`;
      const namespace = nsOf(name);
      const hostDir = join(dir, 'hosts', name);
      const root = join(hostDir, 'root');
      const storeDir = join(hostDir, 'nix');
      mkdirSync(storeDir, { recursive: true });
      namespaces.push(namespace);
      addHostNamespace(bridge, namespace, `nf${tag}v${i}`, address);
      const hostKey = makeSystemdRoot(root, name, publicKey);
      const consoleLog = join(hostDir, 'console.log');
      const out = openSync(consoleLog, 'a');
      const nspawn = spawn(
        'systemd-nspawn',
        ['-q', '-D', root, '--bind-ro=/usr', `--bind=${storeDir}:/nix`, '--boot', '--register=no', '--keep-unit', `--network-namespace-path=/run/netns/${namespace}`, '-M', name],
        { stdio: ['ignore', out, out], detached: true },
      );
      const c: { nspawn: Recorded; init?: Recorded } = { nspawn: record(nspawn.pid!) };
      containers.push(c);
      const savePids = () =>
        writeFileSync(join(dir, 'nspawn.pids'), containers.flatMap((x) => [...(x.init ? [`init ${x.init.pid} ${x.init.start}`] : []), `nspawn ${x.nspawn.pid} ${x.nspawn.start}`]).join('\n') + '\n');
      savePids();

      nspawn.unref();
      c.init = record(await waitForInit(c.nspawn.pid, name));
      savePids();
      await waitForPort(address, 22, 30000).catch((e: Error) => {
        throw new Error(`${e.message}; console:\n${existsSync(consoleLog) ? readFileSync(consoleLog, 'utf-8').slice(-2000) : ''}`);
      });
      const initPid = c.init.pid;
      known += `${name} ${hostKey}\n`;
      config += sshConfigBlock(name, address, identityFile, knownHostsFile) + '\n';
      hosts.push({
        name,
        address,
        namespace,
        storeDir,
        // sshd logs to the container's journal: see journal(['-u', 'ssh.service']).
        sshdLog: join(hostDir, 'no-sshd-log'),
        root,
        nspawnPid: c.nspawn.pid,
        initPid,
        exec: (args) => nsExec(name, initPid, args),
        journal: (args) => nsExec(name, initPid, ['journalctl', '--no-pager', '-q', ...args]),
      });
    }
    writeFileSync(knownHostsFile, known);
    writeFileSync(sshConfigFile, config);
    // nix-daemon is a unit after ssh: wait until the store answers through it.
    for (const h of hosts) await waitUntil(`nix-daemon on ${h.name}`, () => h.exec(['systemctl', 'is-active', '-q', 'nix-daemon.service']).then(() => true, () => false));
    return { kind: 'systemd', ...networkOf(layout, hosts, containers.map((c) => c.nspawn.pid), teardownSync) };
  } catch (e) {
    teardownSync();
    throw e;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
