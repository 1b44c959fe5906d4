// Benchmark: cold `nx run-many -t build` on fixture hosts whose evaluation shares a costly part
// (what importing nixpkgs costs each evaluation) vs a plain shell loop of `nix build`, by default
// (eval and build batched, one process per target) and with --batch=false (one per task), then
// warm runs served from the Nx cache, counting nix spawns with a wrapper first on PATH and the
// processes Nx forked for tasks.
// Usage: node -r @swc-node/register tools/bench/build/run.ts [--hosts=10 --runs=3 --eval-cost=4500]
//   [--only=cold|warm] [--background-load=N: N busy processes while it runs, as another suite would]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createNixCounter, evaluatedHosts } from '../../../e2e/support/nix-counter';
import { availableMemoryMiB } from '../../../packages/nix-fleet-plugin/src/nix/eval-workers';
import { writeFixtureFleet, type FixtureHost } from '../../../e2e/support/fixture-fleet';
import { createWorkspace, nxEnv, REPO_ROOT, type Workspace } from '../../../e2e/support/workspace';
import { countExecutorProcesses } from '../../../e2e/support/executor-processes';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const HOSTS = Number(arg('hosts', '10'));
const RUNS = Number(arg('runs', '3'));
/** The fixture's shared evaluation, n * n additions once per Nix process: 4500 is about 2 s here. */
const EVAL_COST = Number(arg('eval-cost', '4500'));
const ONLY = arg('only', '');
const LOAD = Number(arg('background-load', '0'));

/** Busy loops standing in for another suite: killed by pid when the bench ends. */
function backgroundLoad(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random())'], { stdio: 'ignore' }));
}

/** Fresh package names make every store path new, so each cold run really builds. */
function coldFleet(ws: Workspace, round: string) {
  const hosts: FixtureHost[] = Array.from({ length: HOSTS }, (_, i) => ({
    name: `h${String(i + 1).padStart(2, '0')}`,
    packages: [{ name: `app-${round}-${i}`, version: '1.0', size: 65536 }],
  }));
  writeFixtureFleet(ws.root, hosts, [{ name: `base-${round}`, version: '1.0', size: 4096 }], { evalCost: EVAL_COST });
  ws.commit(`fleet ${round}`);
  return hosts.map((h) => h.name);
}

function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** What the shared part costs one Nix process, measured the way the fixture does it. */
function sharedSeconds(): number {
  const expr = `let n = ${EVAL_COST}; row = i: builtins.foldl' builtins.add i (builtins.genList (x: x) n); in builtins.foldl' (s: i: s + row i) 0 (builtins.genList (x: x) n)`;
  const started = process.hrtime.bigint();
  spawnSync('nix-instantiate', ['--eval', '-E', expr]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main() {
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const ws = createWorkspace(`bench-build-${process.pid}-`, {}, { builtPlugin: true });
  const counter = createNixCounter();
  const procs = countExecutorProcesses();
  const env = nxEnv({ ...counter.env, ...procs.env, NX_TUI: 'false', CI: 'true' });
  const nx = [join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js')];
  const rows: Record<string, { times: number[]; spawns: string }> = {};
  const record = (label: string, seconds: number, spawns: string) => {
    rows[label] ??= { times: [], spawns };
    rows[label].times.push(seconds);
    rows[label].spawns = spawns;
  };
  const processes = () => {
    const { batch, single } = procs.count();
    return `${batch + single} processes${batch ? ` (${batch} batch)` : ''}`;
  };
  const nxRun = (label: string, args: string[]) => {
    counter.reset();
    procs.reset();
    const t = timed(process.execPath, [...nx, ...args], ws.root, env);
    const evaluated = evaluatedHosts(counter.calls()).length;
    record(label, t, `${processes()}; nix: ${counter.count('build')} build, ${counter.count('eval')} eval (${evaluated} hosts), ${counter.calls().length} total`);
  };
  // Each nix build evaluates its host, and the part hosts share, again: what users do today.
  const loopScript = 'for h in "$@"; do nix build ".#nixosConfigurations.$h.config.system.build.toplevel" --out-link "dist/hosts/$h/system" --json -L > /dev/null || exit 1; done';
  const load = backgroundLoad(LOAD);
  try {
    for (let run = 1; run <= RUNS; run++) {
      process.stderr.write(`run ${run} of ${RUNS}\n`);
      if (ONLY !== 'warm') {
        const hosts = coldFleet(ws, `loop${run}p${process.pid}`);
        counter.reset();
        record('shell loop: nix build per host (cold)', timed('bash', ['-c', loopScript, 'loop', ...hosts], ws.root, env), `${counter.count('build')} build`);
        for (const flags of [[], ['--batch=false']]) {
          coldFleet(ws, `nx${flags.join('').replace(/\W/g, '')}r${run}p${process.pid}`);
          nxRun(`nx run-many -t build ${[...flags, '(cold)'].join(' ')}`, ['run-many', '-t', 'build', ...flags]);
        }
      } else if (run === 1) coldFleet(ws, `warm${process.pid}`);
      // Warm: the same inputs as the last cold run, served from the Nx cache. The first
      // closure-size run measures (it is not timed); after it eval, build and closure-size are all cached.
      if (ONLY !== 'cold') {
        if (run === 1 || ONLY !== 'warm') timed(process.execPath, [...nx, 'run-many', '-t', 'closure-size'], ws.root, env);
        // Side by side with --batch=false: Nx schedules cache hits of a batched target its own way.
        for (const flags of [[], ['--batch=false']]) {
          nxRun(`nx run-many -t build ${[...flags, '(warm, Nx cache)'].join(' ')}`, ['run-many', '-t', 'build', ...flags]);
          nxRun(`nx run-many -t eval build closure-size ${[...flags, '(warm, Nx cache)'].join(' ')}`, ['run-many', '-t', 'eval', 'build', 'closure-size', ...flags]);
        }
      }
    }
  } finally {
    for (const p of load) p.kill('SIGKILL');
    procs.remove();
    ws.remove();
  }
  const loop = rows['shell loop: nix build per host (cold)'] ? median(rows['shell loop: nix build per host (cold)'].times) : Number.NaN;
  const table = Object.entries(rows).map(([label, r]) => {
    const t = median(r.times);
    return [label, t.toFixed(2), Number.isNaN(loop) ? '-' : (t / loop).toFixed(2), Number.isNaN(loop) ? '-' : `${(((t - loop) / HOSTS) * 1000).toFixed(0)} ms`, r.spawns];
  });
  const headers = ['run', 'median s', 'vs loop', 'extra/host', 'task processes; nix spawned'];
  const widths = headers.map((_, i) => Math.max(...[headers, ...table].map((row) => row[i].length)));
  const line = (row: string[]) => row.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const text = [
    `Build benchmark: ${HOSTS} fixture hosts whose evaluations share ${EVAL_COST}² additions (one \`nix eval\` of them alone: ${sharedSeconds().toFixed(2)} s), ${RUNS} runs, median wall time (${spawnSync('nix', ['--version'], { encoding: 'utf-8' }).stdout.trim()})`,
    `machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, MemAvailable ${(availableMemoryMiB() / 1024).toFixed(1)} GiB before`,
    `load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores shared with other work)${LOAD ? `; ${LOAD} busy processes started by the bench` : ''}`,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.map(line),
  ].join('\n');
  console.log(text);
  const out = arg('out', '');
  if (out) writeFileSync(out, text + '\n');
}

main();
