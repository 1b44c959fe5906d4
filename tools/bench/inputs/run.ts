// Benchmark: what the eval inputs' rule costs. The scan of the fleet's .nix files on every graph
// computation, and an edit to a doc no .nix file reaches: with a sure scan (nothing evaluated)
// and with a flake the scan cannot follow (every file an input: every host evaluated again, in
// one shared evaluation, and nothing built).
// Usage: node -r @swc-node/register tools/bench/inputs/run.ts [--hosts=10 --runs=3 --eval-cost=4500]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createNixCounter, evaluatedHosts } from '../../../e2e/support/nix-counter';
import { FIXTURE_FLAKE, writeFixtureFleet, writeWorkspaceFile, type FixtureHost } from '../../../e2e/support/fixture-fleet';
import { createWorkspace, nxEnv, type Workspace } from '../../../e2e/support/workspace';
import { sharedHostInputs } from '../../../packages/nix-fleet-plugin/src/graph/shared-inputs';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const HOSTS = Number(arg('hosts', '10'));
const RUNS = Number(arg('runs', '3'));
const EVAL_COST = Number(arg('eval-cost', '4500'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A flake the scan cannot follow: it names its own source (`self.outPath`). */
const UNSURE_FLAKE = FIXTURE_FLAKE.replace('      nixosConfigurations =', '      source = self.outPath;\n      nixosConfigurations =');

function fleet(ws: Workspace, unsure: boolean): void {
  const hosts: FixtureHost[] = Array.from({ length: HOSTS }, (_, i) => ({ name: `h${String(i + 1).padStart(2, '0')}` }));
  writeFixtureFleet(ws.root, hosts, undefined, { evalCost: EVAL_COST });
  if (unsure) writeWorkspaceFile(ws.root, 'flake.nix', UNSURE_FLAKE);
  for (let i = 0; i < 20; i++) writeWorkspaceFile(ws.root, `docs/page-${i}.md`, `# Page ${i}\n`);
  writeWorkspaceFile(ws.root, 'README.md', '# Fleet\n');
  ws.commit('fleet');
}

function timedNx(ws: Workspace, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(ws.root, 'node_modules/nx/dist/bin/nx.js'), ...args], { cwd: ws.root, env: nxEnv(env), encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function scanMs(root: string): number {
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = process.hrtime.bigint();
    sharedHostInputs(root);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

function main() {
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const rows: string[][] = [];
  for (const unsure of [false, true]) {
    const ws = createWorkspace(`bench-inputs-${process.pid}-`, {}, { builtPlugin: true });
    const counter = createNixCounter();
    try {
      fleet(ws, unsure);
      timedNx(ws, ['run-many', '-t', 'build'], counter.env);
      const walls: number[] = [];
      let evaluated = 0;
      let builds = 0;
      for (let run = 0; run < RUNS; run++) {
        const readme = join(ws.root, 'README.md');
        writeFileSync(readme, `${readFileSync(readme, 'utf-8')}edit ${run}\n`);
        ws.commit(`readme ${run}`);
        counter.reset();
        walls.push(timedNx(ws, ['run-many', '-t', 'build'], counter.env));
        evaluated = evaluatedHosts(counter.calls()).length;
        builds = counter.count('build');
      }
      const inputs = sharedHostInputs(ws.root).filter((i) => typeof i === 'string' && i.startsWith('!')).length;
      rows.push([unsure ? 'unsure scan (flake names self.outPath)' : 'sure scan (fixture flake)', scanMs(ws.root).toFixed(1), String(inputs), median(walls).toFixed(2), String(evaluated), String(builds)]);
    } finally {
      ws.remove();
    }
  }
  const header = ['fleet', 'scan ms', 'exclusions', 'README edit: nx run-many -t build s', 'hosts evaluated', 'nix build'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`Inputs benchmark: ${HOSTS} fixture hosts, eval cost ${EVAL_COST}, median of ${RUNS} README edits`);
  console.log(`load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

main();
