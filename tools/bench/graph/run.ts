// Benchmark: `nx show projects` (daemon off) on synthetic fleets of 0 to 1,000 hosts and 50 profiles.
// Usage: npm run bench:graph [-- --sizes=0,250,500,1000 --runs=5]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { linkNodeModulesWithBuiltPlugin } from '../../../e2e/support/workspace';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..', '..');
const NX = join(REPO, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const SIZES = arg('sizes', '0,250,500,1000').split(',').map(Number);
const RUNS = Number(arg('runs', '5'));
const PROFILES = 50;

export function makeWorkspace(hosts: number, withPlugin: boolean, projectJson = false): string {
  const root = mkdtempSync(join(tmpdir(), `bench-graph-${hosts}-`));
  const nxJson = { analytics: false, cacheDirectory: '.nx/cache', plugins: withPlugin ? ['@nix-fleet/nx'] : [] };
  writeFileSync(join(root, 'nx.json'), JSON.stringify(nxJson));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', private: true }));
  writeFileSync(join(root, 'flake.nix'), '{ outputs = _: { }; }\n');
  mkdirSync(join(root, 'packages/profiles'), { recursive: true });
  writeFileSync(join(root, 'packages/profiles/default.nix'), '{ }\n');
  for (let p = 0; p < PROFILES; p++) writeFileSync(join(root, `packages/profiles/p${p}.nix`), '{ }\n');
  const types = ['laptop', 'desktop', 'server', 'vm'];
  for (let h = 0; h < hosts; h++) {
    const dir = join(root, 'hosts', `host-${h}`);
    mkdirSync(dir, { recursive: true });
    const host = { type: types[h % 4], system: 'x86_64-linux', roles: h % 4 === 2 ? ['web'] : undefined, deployment: { targetHost: `host-${h}.lan`, tags: ['bench'] } };
    writeFileSync(join(dir, 'host.json'), JSON.stringify(host));
    writeFileSync(join(dir, 'configuration.nix'), '{ }\n');
    // The same projects declared by hand: what Nx itself costs for this many projects.
    if (projectJson) writeFileSync(join(dir, 'project.json'), JSON.stringify(handWrittenProject(`host-${h}`)));
  }
  linkNodeModulesWithBuiltPlugin(root);
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

function handWrittenProject(name: string) {
  const target = (executor: string, extra: object) => ({ executor, options: { host: name }, inputs: ['{projectRoot}/**/*', '{workspaceRoot}/flake.nix'], ...extra });
  return {
    name,
    tags: ['type:server', 'bench'],
    targets: {
      build: target('nx:noop', { cache: true, outputs: [`{workspaceRoot}/dist/hosts/${name}/build.json`] }),
      'closure-size': target('nx:noop', { cache: true, dependsOn: ['build'] }),
      deploy: target('nx:noop', { dependsOn: ['build'] }),
    },
  };
}

function timeShowProjects(root: string): { ms: number; pluginMs: number; projects: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [NX, 'show', 'projects', '--json'], {
    cwd: root,
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NX_DAEMON: 'false', NX_PERF_LOGGING: 'true', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`nx show projects failed in ${root}:\n${result.stderr}`);
  const perf = (name: string) => Number(new RegExp(`'${name}' ([0-9.]+)ms`).exec(result.stdout + result.stderr)?.[1] ?? 0);
  const pluginMs = perf('@nix-fleet/nx:createNodes') + perf('@nix-fleet/nx:createDependencies');
  const json = (result.stdout.match(/^\[.*\]$/m) ?? ['[]'])[0];
  return { ms, pluginMs, projects: JSON.parse(json).length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(hosts: number, withPlugin: boolean, projectJson = false) {
  const root = makeWorkspace(hosts, withPlugin, projectJson);
  try {
    timeShowProjects(root); // warm the file system cache and Nx's plugin cache folders
    const runs = Array.from({ length: RUNS }, () => timeShowProjects(root));
    return { ms: median(runs.map((r) => r.ms)), pluginMs: median(runs.map((r) => r.pluginMs)), projects: runs[0].projects };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function main() {
  console.error(`nx show projects, daemon off, median of ${RUNS} runs after one warm-up`);
  const empty = measure(0, false);
  const rows = [{ label: 'empty workspace (no plugin)', hosts: 0, ...empty }];
  for (const hosts of SIZES) {
    process.stderr.write(`  measuring ${hosts} hosts...\n`);
    rows.push({ label: `${hosts} hosts + ${PROFILES} profiles`, hosts, ...measure(hosts, true) });
  }
  const biggest = Math.max(...SIZES);
  process.stderr.write(`  measuring ${biggest} hand-written project.json hosts (no plugin)...\n`);
  rows.push({ label: `${biggest} hosts as project.json, no plugin`, hosts: 0, ...measure(biggest, false, true) });
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  // The plugin's fixed cost (Nx starts one worker process per plugin) is the 0-host row.
  const zero = rows.find((r) => r.hosts === 0 && r.label.includes('profiles'));
  const pct = (ms: number, base?: { ms: number }) => (base ? `${(((ms - base.ms) / base.ms) * 100).toFixed(1)}%` : '-');
  console.log(line(['workspace', 'projects', 'nx show projects (ms)', 'over empty', 'over plugin, 0 hosts', 'plugin createNodes+deps (ms)', 'plugin µs/host']));
  console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const r of rows) {
    const perHost = r.hosts ? ((r.pluginMs * 1000) / r.hosts).toFixed(0) : '-';
    const overZero = r.label.includes('profiles') ? pct(r.ms, zero) : '-';
    console.log(line([r.label, String(r.projects), r.ms.toFixed(0), pct(r.ms, empty), overZero, r.pluginMs.toFixed(1), perHost]));
  }
  const last = rows.find((r) => r.hosts === biggest) ?? rows[rows.length - 1];
  const verdict = (last.ms - empty.ms) / empty.ms < 0.3 ? 'met' : 'NOT met';
  console.log(`\nGoal (${last.hosts} hosts under 30% over the empty workspace): ${verdict}.`);
}

if (require.main === module) main();
