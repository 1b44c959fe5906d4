// Real SSH test hosts: each a network namespace with its own address, /nix, /run and sshd.
//
// Layout per run: a bridge in the root namespace holding 10.A.B.1/24 (A.B derived from the
// PID, so concurrent runs do not collide), one veth per host whose peer is `eth0` inside the
// host's namespace. Each host has an "anchor" process (sleep) that owns its private mount
// namespace (/nix bind-mounted from storeDir, tmpfs on /run); sshd and exec() enter it with
// nsenter, so the host keeps its mounts even when a test kills its sshd.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestHost {
  name: string;
  /** 10.x address inside this run's namespace. */
  address: string;
  namespace: string;
  /** The directory bind-mounted as the host's /nix. */
  storeDir: string;
  /** sshd's log on the deploying machine: one "Accepted publickey" line per authenticated connection. */
  sshdLog: string;
  /** Runs argv inside the host's net+mount namespace as root; returns stdout. */
  exec(args: string[]): Promise<string>;
}

export interface TestNetwork {
  /** namespace (default): sshd as root, no init; systemd: see systemd-hosts.ts. */
  kind?: 'namespace' | 'systemd';
  hosts: TestHost[];
  /** Host blocks named after the hosts: HostName, User root, Port 22, keys, HostKeyAlias. */
  sshConfigFile: string;
  knownHostsFile: string;
  identityFile: string;
  /** e.g. NIX_SSHOPTS="-F <sshConfigFile>" for nix copy. */
  env: NodeJS.ProcessEnv;
  /** The run's bridge in the root namespace and its temp dir (keys, stores, ssh config). */
  bridge: string;
  dir: string;
  /** The long-lived processes: each host's anchor and sshd. */
  pids: readonly number[];
  teardown(): Promise<void>;
}

let runCounter = 0;
const live = new Set<() => void>();

/** Runs teardown when this process exits or is interrupted, unless it ran before; returns the unregister function. */
export function teardownOnExit(teardown: () => void): () => void {
  live.add(teardown);
  return () => live.delete(teardown);
}

/** A namespace `namespace` on the run's bridge: veth `veth` whose peer is its `eth0` at `address`/24, lo up. */
export function addHostNamespace(bridge: string, namespace: string, veth: string, address: string): void {
  sh('ip', ['netns', 'add', namespace]);
  sh('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
  sh('ip', ['link', 'set', veth, 'master', bridge, 'up']);
  sh('ip', ['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
  sh('ip', ['-n', namespace, 'link', 'set', 'eth0', 'up']);
  sh('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
}

/** The run's bridge in the root namespace, holding `${prefix}.1/24`. */
export function addBridge(bridge: string, prefix: string): void {
  sh('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
  sh('ip', ['link', 'set', bridge, 'up']);
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf-8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function quiet(cmd: string, args: string[]): void {
  try {
    sh(cmd, args);
  } catch {
    // Teardown is best effort: the thing may already be gone.
  }
}

/** A /24 no route uses yet, derived from the PID and a per-process counter. */
export function pickSubnet(): { prefix: string; tag: string } {
  for (let attempt = 0; attempt < 64; attempt++) {
    const n = runCounter++;
    const key = (process.pid * 8 + n) % (128 * 256);
    const prefix = `10.${64 + (key >> 8)}.${key & 255}`;
    if (sh('ip', ['-4', 'route', 'show', `${prefix}.0/24`]).trim() === '') {
      return { prefix, tag: `${process.pid.toString(36)}${n.toString(36)}` };
    }
  }
  throw new Error('No free 10.x subnet for test hosts.');
}

function waitForLine(child: ChildProcess, line: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 10000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`${what} exited (${code}): ${out}`)));
  });
}

export async function waitForPort(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port, timeout: 500 }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
      socket.on('timeout', () => (socket.destroy(), resolve(false)));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on ${address}:${port} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sshdConfig(address: string, hostDir: string, authorizedKeys: string): string {
  return [
    `ListenAddress ${address}`,
    'Port 22',
    `HostKey ${join(hostDir, 'ssh_host_ed25519_key')}`,
    'PidFile /run/sshd.pid',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    // The temp dirs are not root-only all the way up.
    'StrictModes no',
    // INFO logs one "Accepted publickey" line per new connection: tests count handshakes with it.
    'LogLevel INFO',
    '',
  ].join('\n');
}

export function sshConfigBlock(name: string, address: string, identityFile: string, knownHostsFile: string): string {
  return [
    `Host ${name}`,
    `  HostName ${address}`,
    '  User root',
    '  Port 22',
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHostsFile}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    `  HostKeyAlias ${name}`,
    '  BatchMode yes',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}

/** A run's names and files: its subnet, bridge, temp dir, client key, known_hosts and ssh config paths. */
export function runLayout(dirPrefix: string) {
  const { prefix, tag } = pickSubnet();
  const dir = mkdtempSync(join(tmpdir(), `${dirPrefix}-${process.pid}-`));
  return {
    prefix,
    tag,
    dir,
    bridge: `nf${tag}br`,
    identityFile: join(dir, 'id_ed25519'),
    knownHostsFile: join(dir, 'known_hosts'),
    sshConfigFile: join(dir, 'ssh_config'),
  };
}

/** The network a run hands its suite: the layout's files, the hosts, the long-lived PIDs and the teardown. */
export function networkOf<H extends TestHost>(layout: ReturnType<typeof runLayout>, hosts: H[], pids: readonly number[], teardown: () => void) {
  const { sshConfigFile, knownHostsFile, identityFile, bridge, dir } = layout;
  return { hosts, sshConfigFile, knownHostsFile, identityFile, env: { NIX_SSHOPTS: `-F ${sshConfigFile}` }, bridge, dir, pids, teardown: async () => teardown() };
}

export async function startTestHosts(count: number, opts: { namePrefix?: string } = {}): Promise<TestNetwork> {
  const layout = runLayout('nix-fleet-hosts');
  const { prefix, tag, dir, bridge, identityFile, knownHostsFile, sshConfigFile } = layout;
  const namePrefix = opts.namePrefix ?? 'host';
  const authorizedKeys = join(dir, 'authorized_keys');
  const pids: number[] = [];
  const namespaces: string[] = [];
  let done = false;

  const teardownSync = () => {
    if (done) return;
    done = true;
    live.delete(teardownSync);
    for (const ns of namespaces) {
      // Every process in the namespace was started by this run: anchor, sshd, watchdogs. Only
      // those are killed: a recorded pid whose process already ended (a test kills sshd) may belong
      // to another program by now (pid_max is 32768 here), and a teardown once killed such a one.
      const inside = (() => {
        try {
          return sh('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean).map(Number);
        } catch {
          return [];
        }
      })();
      for (const pid of inside) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      quiet('ip', ['netns', 'del', ns]);
    }
    quiet('ip', ['link', 'del', bridge]);
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(teardownSync);

  try {
    sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nix-fleet-test', '-f', identityFile]);
    writeFileSync(authorizedKeys, readFileSync(`${identityFile}.pub`));
    addBridge(bridge, prefix);
    const hosts: TestHost[] = [];
    let known = '';
    let config = '';
    for (let i = 0; i < count; i++) {
      const name = `${namePrefix}${i + 1}`;
      const address = `${prefix}.${10 + i}`;
      const namespace = `nf-${process.pid}-${tag}-${name}`;
      const veth = `nf${tag}v${i}`;
      const hostDir = join(dir, 'hosts', name);
      const storeDir = join(hostDir, 'nix');
      mkdirSync(storeDir, { recursive: true });
      namespaces.push(namespace);
      addHostNamespace(bridge, namespace, veth, address);
      sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', join(hostDir, 'ssh_host_ed25519_key')]);
      const sshdFile = join(hostDir, 'sshd_config');
      const sshdLog = join(hostDir, 'sshd.log');
      writeFileSync(sshdFile, sshdConfig(address, hostDir, authorizedKeys));

      // On a machine where Nix never ran there is no /nix yet (Nix makes it on first use): make the mount point.
      // An empty /root, as on a new machine: root's login shell (bash) reads ~/.bashrc in every ssh
      // session, and this machine's runs tools (pyenv init) that cost ~90 ms of CPU per session.
      const mountScript =
        'mkdir -p /nix && mount --bind "$1" /nix && mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/sshd && ' +
        'mount -t tmpfs -o mode=700 tmpfs /root && echo ready && exec sleep infinity';
      const anchor = spawn('ip', ['netns', 'exec', namespace, 'unshare', '-m', '--propagation', 'private', 'sh', '-c', mountScript, 'anchor', storeDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      pids.push(anchor.pid!);
      await waitForLine(anchor, 'ready', `mount namespace of ${name}`);
      anchor.stdout?.destroy();
      anchor.stderr?.destroy();
      anchor.unref();
      const enter = ['-t', String(anchor.pid), '-m', '-n', '--'];
      const sshd = spawn('nsenter', [...enter, '/usr/sbin/sshd', '-D', '-e', '-f', sshdFile], {
        stdio: ['ignore', 'ignore', openSync(sshdLog, 'a')],
      });
      pids.push(sshd.pid!);
      sshd.unref();
      await waitForPort(address, 22, 10000);

      known += `${name} ${readFileSync(join(hostDir, 'ssh_host_ed25519_key.pub'), 'utf-8').split(' ').slice(0, 2).join(' ')}\n`;
      config += sshConfigBlock(name, address, identityFile, knownHostsFile) + '\n';
      hosts.push({
        name,
        address,
        namespace,
        storeDir,
        sshdLog,
        exec: (args) =>
          new Promise((resolve, reject) =>
            execFile('nsenter', [...enter, ...args], { encoding: 'utf-8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
              err ? reject(new Error(`${name}: ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout),
            ),
          ),
      });
    }
    writeFileSync(knownHostsFile, known);
    writeFileSync(sshConfigFile, config);
    return networkOf(layout, hosts, pids, teardownSync);
  } catch (e) {
    teardownSync();
    throw e;
  }
}

function teardownAll() {
  for (const teardown of [...live]) teardown();
}
process.once('exit', teardownAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    teardownAll();
    process.exit(130);
  });
}

/**
 * Binds a test host's key to a fleet host name in the run's known_hosts, as an operator does
 * after checking the fingerprint: deploys look keys up under the fleet name (HostKeyAlias).
 */
export function bindHostKey(net: Pick<TestNetwork, 'knownHostsFile'>, testHost: string, fleetName: string): void {
  const line = readFileSync(net.knownHostsFile, 'utf-8').split('\n').find((l) => l.startsWith(`${testHost} `));
  if (!line) throw new Error(`no known_hosts line for test host ${testHost}`);
  appendFileSync(net.knownHostsFile, `${fleetName} ${line.slice(testHost.length + 1)}\n`);
}
