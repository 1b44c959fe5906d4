// Benchmark: `nx run-many -t deploy` to N test hosts, --parallel=1 against --parallel=N, in one
// batch process (the default) and with --batch=false (one process per host); then a fleet of
// --big-hosts (50; 0 skips it) in one batch, for the deploying side's CPU per host at scale.
// Run as root: npm run bench:deploy [-- --hosts=10 --big-hosts=50 --activation-seconds=2 --kex=curve25519-sha256]
// (--kex sets KexAlgorithms in the ssh config the deploys use, as an operator may in theirs.)
// Builds are done (and cached) before each timed run, so the times are deploys only, and an
// untimed first deploy gives each host a system, so each timed deploy replaces one. Besides wall
// time it prints the CPU time per deployed host, on the deploying side (nx, its task processes
// and the ssh and nix clients they start) and on the targets (their sshd and what runs under it),
// from cpuacct cgroups, and the ssh connections each target's sshd authenticated per deploy.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { authentications, deploymentFor, switchScriptConfig, useNetworkSshConfig } from '../../../e2e/support/deploy-fixtures';
import { writeFixtureFleet, type FixtureHost } from '../../../e2e/support/fixture-fleet';
import { startTestHosts, type TestNetwork } from '../../../e2e/support/test-hosts';
import { createWorkspace, nxEnv, REPO_ROOT } from '../../../e2e/support/workspace';
import { commandShims, CpuGroup } from './cpu-cgroups';

const NX_BIN = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = hit ? Number(hit.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number (got ${hit})`);
  return value;
}

function fleet(net: TestNetwork, version: string, sleepSeconds: number): FixtureHost[] {
  return net.hosts.map((h) => ({
    name: h.name,
    packages: [{ name: `${h.name}-app`, version, size: 1 << 20 }],
    hostJson: deploymentFor(net, h),
    extraConfig: switchScriptConfig(sleepSeconds ? { sleepSeconds } : {}),
  }));
}

interface Row {
  name: string;
  hosts: number;
  seconds: number;
  /** CPU seconds per host: all of the deploying side, then its parts, then the targets. */
  cpu: { deployer: number; node: number; ssh: number; nix: number; target: number };
  handshakes: number;
  summary: string;
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** One timed run: `nx run-many -t deploy` with these flags, after a new version was built. */
interface Run {
  name: string;
  flags: string[];
}

/**
 * Starts `count` hosts, gives each a running system (untimed), then for each run builds a new
 * version and times its deploy. Every namespace and cgroup it made is removed, also on failure.
 */
async function benchFleet(count: number, sleepSeconds: number, runs: Run[], kex: string | undefined, withFloor: boolean): Promise<Row[]> {
  const net = await startTestHosts(count, { namePrefix: count > 10 ? 'bb' : 'bench' });
  // The operator's choice, in the deploying machine's ssh config (the bench's NIX_FLEET_SSH_CONFIG).
  if (kex) appendFileSync(net.sshConfigFile, `Host *\n  KexAlgorithms ${kex}\n`);
  const restoreSsh = useNetworkSshConfig(net);
  const ws = createWorkspace('nix-fleet-bench-deploy-', {}, { builtPlugin: true });
  const top = CpuGroup.create(`nix-fleet-bench-deploy-${process.pid}`);
  const groups = top && { ssh: top.child('ssh'), nix: top.child('nix'), targets: CpuGroup.create(`nix-fleet-bench-targets-${process.pid}`) };
  const shims = groups?.ssh && groups.nix ? commandShims({ ssh: groups.ssh, nix: groups.nix }) : undefined;
  const rows: Row[] = [];
  try {
    // Every sshd session process is a child of its host's listener, so it runs in the targets' group.
    for (const h of net.hosts) groups?.targets?.add(Number((await h.exec(['cat', '/run/sshd.pid'])).trim()));
    // Version 1 (not timed) gives every host a running system, so each timed run replaces one.
    for (const [i, run] of [{ name: 'untimed', flags: [] }, ...runs].entries()) {
      writeFixtureFleet(ws.root, fleet(net, `${i + 1}.0`, sleepSeconds));
      ws.commit(`version ${i + 1}.0`);
      ws.nx(['run-many', '-t', 'build', `--parallel=${Math.min(count, 10)}`]);
      if (i === 0) {
        process.stderr.write(`deploying ${count} hosts once, untimed ...\n`);
        ws.nx(['run-many', '-t', 'deploy', `--parallel=${Math.min(count, 10)}`]);
        continue;
      }
      process.stderr.write(`deploying ${count} hosts, ${run.name} ...\n`);
      for (const g of [top, groups?.ssh, groups?.nix, groups?.targets]) g?.reset();
      const authBefore = net.hosts.map(authentications);
      const nx = [process.execPath, NX_BIN, 'run-many', '-t', 'deploy', ...run.flags];
      const [command, ...args] = top ? top.wrap(nx) : nx;
      const started = performance.now();
      const r = spawnSync(command, args, {
        cwd: ws.root,
        encoding: 'utf-8',
        maxBuffer: 64 * 1024 * 1024,
        env: nxEnv(shims ? { PATH: `${shims.dir}:${process.env.PATH}` } : {}),
      });
      const seconds = (performance.now() - started) / 1000;
      const handshakes = net.hosts.reduce((sum, h, k) => sum + authentications(h) - authBefore[k], 0) / count;
      const per = (g: CpuGroup | undefined) => (g ? g.seconds() / count : NaN);
      const [deployer, ssh, nix] = [per(top), per(groups?.ssh), per(groups?.nix)];
      const summary = /Deploy \(\d+ hosts\): ([^\n]+)/.exec(r.stdout)?.[1] ?? `exit ${r.status}`;
      if (r.status !== 0) process.stderr.write(r.stdout.slice(-3000) + r.stderr.slice(-2000));
      rows.push({ name: run.name, hosts: count, seconds, cpu: { deployer, node: deployer - ssh - nix, ssh, nix, target: per(groups?.targets) }, handshakes, summary });
    }
    if (withFloor) rows.push(floorRow(ws.root, count, top));
    return rows;
  } finally {
    restoreSsh();
    await net.teardown();
    ws.remove();
    shims?.remove();
    for (const g of [groups?.ssh, groups?.nix, top, groups?.targets]) g?.remove();
  }
}

async function main() {
  const count = arg('hosts', 10);
  const big = arg('big-hosts', 50);
  const sleepSeconds = arg('activation-seconds', 2);
  const kex = process.argv.find((a) => a.startsWith('--kex='))?.slice('--kex='.length);
  const loadBefore = load();
  // The default (one batch process for the run) beside one process per host, each at 1 and N.
  const rows = await benchFleet(
    count,
    sleepSeconds,
    [
      { name: 'batch, -p 1', flags: ['--parallel=1'] },
      { name: `batch, -p ${count}`, flags: [`--parallel=${count}`] },
      { name: 'per host, -p 1', flags: ['--parallel=1', '--batch=false'] },
      { name: `per host, -p ${count}`, flags: [`--parallel=${count}`, '--batch=false'] },
    ],
    kex,
    true,
  );
  if (big > 0) rows.push(...(await benchFleet(big, sleepSeconds, [{ name: `batch, -p ${count}`, flags: [`--parallel=${count}`] }], kex, false)));
  report(rows, count, sleepSeconds, loadBefore, kex);
}

/**
 * What Nx itself costs per task, the floor of any executor: N projects whose target runs an
 * executor that does nothing, with --parallel=N, in the same workspace (same Nx, same plugin).
 */
function floorRow(root: string, count: number, top: CpuGroup | undefined): Row {
  const pkg = join(root, 'node_modules', 'bench-noop-executor');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'bench-noop-executor', version: '0.0.0', executors: './executors.json' }));
  writeFileSync(join(pkg, 'executors.json'), JSON.stringify({ executors: { noop: { implementation: './noop.js', schema: './schema.json' } } }));
  writeFileSync(join(pkg, 'schema.json'), JSON.stringify({ type: 'object', properties: {} }));
  writeFileSync(join(pkg, 'noop.js'), 'module.exports = async function noop() { return { success: true }; };\n');
  for (let i = 1; i <= count; i++) {
    const dir = join(root, 'noop', `noop${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'project.json'), JSON.stringify({ name: `noop${i}`, targets: { noop: { executor: 'bench-noop-executor:noop', cache: false } } }));
  }
  const nx = [process.execPath, NX_BIN, 'run-many', '-t', 'noop', `--parallel=${count}`];
  top?.reset();
  const [command, ...args] = top ? top.wrap(nx) : nx;
  const started = performance.now();
  const r = spawnSync(command, args, { cwd: root, encoding: 'utf-8', env: nxEnv() });
  const seconds = (performance.now() - started) / 1000;
  const cpu = top ? top.seconds() / count : NaN;
  return { name: 'no-op tasks', hosts: count, seconds, cpu: { deployer: cpu, node: cpu, ssh: 0, nix: 0, target: 0 }, handshakes: 0, summary: r.status === 0 ? `${count} tasks of an executor that does nothing` : `exit ${r.status}` };
}

function report(rows: Row[], count: number, sleepSeconds: number, loadBefore: string, kex?: string) {
  const cols: Array<[string, number, (r: Row) => string]> = [
    ['run', 16, (r) => r.name],
    ['hosts', 5, (r) => String(r.hosts)],
    ['wall', 8, (r) => `${r.seconds.toFixed(1)}s`],
    ['per host', 9, (r) => `${(r.seconds / r.hosts).toFixed(2)}s`],
    ['CPU/host', 9, (r) => `${r.cpu.deployer.toFixed(2)}s`],
    ['node', 6, (r) => r.cpu.node.toFixed(2)],
    ['ssh', 6, (r) => r.cpu.ssh.toFixed(2)],
    ['nix', 6, (r) => r.cpu.nix.toFixed(2)],
    ['target CPU/host', 16, (r) => `${r.cpu.target.toFixed(2)}s`],
    ['ssh logins/host', 16, (r) => r.handshakes.toFixed(1)],
  ];
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(cols[i][1]) : c.padStart(cols[i][1]))).join(' ');
  console.log(`\ndeploy of test hosts (each replaces its running system with a 1 MiB new closure, activation ${sleepSeconds}s${kex ? `, KexAlgorithms ${kex}` : ''}); load average before: ${loadBefore}, after: ${load()}\n`);
  console.log(`${line(cols.map((c) => c[0]))}   result`);
  console.log(`${line(cols.map((c) => '-'.repeat(c[1])))}   ${'-'.repeat(30)}`);
  for (const r of rows) console.log(`${line(cols.map((c) => c[2](r)))}   ${r.summary}`);
  console.log(
    `\nbatch: the default, every deploy task of the run in one process; per host: --batch=false, one process per task;` +
      `\nno-op tasks: ${count} tasks of an executor that does nothing, one process each, --parallel=${count}: what Nx costs per task process;` +
      '\nCPU/host: nx, its deploy processes and every ssh and nix client they start (node, ssh and nix split it);' +
      "\ntarget CPU/host: the targets' sshd and everything under it (nix-daemon --stdio, the deploy scripts);" +
      "\nssh logins/host: connections the targets' sshd authenticated, per host.",
  );
  const wall = (name: string) => rows.find((r) => r.name === name && r.hosts === count)?.seconds ?? NaN;
  const ratio = (mode: string) => (wall(`${mode}, -p 1`) / wall(`${mode}, -p ${count}`)).toFixed(1);
  console.log(`\nspeed-up of -p ${count} over -p 1: batch ${ratio('batch')}x, per host ${ratio('per host')}x (goal: 7x at 10 hosts with a 2 s activation; the limit is ${count}x)`);
  console.log('goal: deploying-side CPU per host at most 0.4 s, and no more per host at 50 hosts');
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
