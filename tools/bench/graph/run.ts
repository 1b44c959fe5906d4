// Benchmark: what the plugin adds to every nx command. `nx show projects`, daemon off, measured
// side by side in one run (each round runs every workspace once, in a rotating order, so the
// noise of a shared machine falls on all of them alike), median of --runs rounds.
//
// Usage: npm run bench:graph [-- --hosts=1000 --runs=7 --only=none-0,built-0 --before=DIR]
// With NX_ISOLATE_PLUGINS=false in the environment, Nx runs every plugin inside the nx process
// instead of one worker process per plugin.
// Workspaces (all with 50 profiles):
//   none-0       no plugin, 0 hosts: Nx itself
//   noop-0       a plugin that does nothing (one createNodesV2, no imports): Nx's cost of any plugin
//   built-0      the built plugin (dist, as users install it), 0 hosts
//   source-0     the plugin from its TypeScript source as this repository and the e2e suites load it
//                (package main dev-entry.js: TypeScript's output cached by content)
//   swc-0        the plugin's src/index.ts named in nx.json: Nx transpiles it with swc on every run,
//                as this repository loaded it before dev-entry.js (with the root tsconfig Nx needs)
//   json-N       N hosts as hand-written project.json (exactly what the plugin infers), no plugin
//   built-N      N hosts inferred by the built plugin
//   before-0, before-N   with --before=DIR: the same with another build of the plugin (a package
//                folder with package.json, e.g. an older commit's dist/packages/nix-fleet-plugin)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linkNodeModulesWithBuiltPlugin, REPO_ROOT } from '../../../e2e/support/workspace';
import { hostNode, sharedHostWork } from '../../../packages/nix-fleet-plugin/src/graph/nodes';

const NX = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const HOSTS = Number(arg('hosts', '1000'));
const RUNS = Number(arg('runs', '7'));
const PROFILES = 50;
const BEFORE = arg('before', '');

type PluginKind = 'none' | 'noop' | 'built' | 'source' | 'swc' | 'before';

export function makeWorkspace(hosts: number, plugin: PluginKind, projectJson = false): string {
  const root = mkdtempSync(join(tmpdir(), `bench-graph-${plugin}-${hosts}-`));
  const names: Record<PluginKind, string[]> = {
    none: [],
    noop: ['bench-noop-plugin'],
    built: ['@nix-fleet/nx'],
    before: ['@nix-fleet/nx'],
    source: ['@nix-fleet/nx'],
    swc: [join(REPO_ROOT, 'packages/nix-fleet-plugin/src/index.ts')],
  };
  const plugins = names[plugin];
  writeFileSync(join(root, 'nx.json'), JSON.stringify({ analytics: false, cacheDirectory: '.nx/cache', plugins }));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', private: true }));
  writeFileSync(join(root, 'flake.nix'), '{ outputs = _: { }; }\n');
  mkdirSync(join(root, 'packages/profiles'), { recursive: true });
  writeFileSync(join(root, 'packages/profiles/default.nix'), '{ }\n');
  for (let p = 0; p < PROFILES; p++) writeFileSync(join(root, `packages/profiles/p${p}.nix`), `{ ... }: { options.profiles.p${p} = { }; }\n`);
  if (projectJson) writeFileSync(join(root, 'packages/profiles/project.json'), JSON.stringify(handWritten(root, 'packages/profiles/default.nix')));
  const types = ['laptop', 'desktop', 'server', 'vm'];
  for (let h = 0; h < hosts; h++) {
    const dir = join(root, 'hosts', `host-${h}`);
    mkdirSync(dir, { recursive: true });
    const host = { type: types[h % 4], system: 'x86_64-linux', deployment: { targetHost: `host-${h}.lan`, tags: ['bench'] } };
    writeFileSync(join(dir, 'host.json'), JSON.stringify(host));
    writeFileSync(join(dir, 'configuration.nix'), '{ }\n');
  }
  // The same projects declared by hand, after every host.json exists (the inputs list them).
  for (let h = 0; projectJson && h < hosts; h++) {
    writeFileSync(join(root, 'hosts', `host-${h}`, 'project.json'), JSON.stringify(handWritten(root, `hosts/host-${h}/host.json`)));
  }
  linkNodeModulesWithBuiltPlugin(root);
  // The other builds of the plugin replace the link to the built package.
  const link = join(root, 'node_modules', '@nix-fleet', 'nx');
  const other = { before: BEFORE, source: join(REPO_ROOT, 'packages', 'nix-fleet-plugin') }[plugin as string];
  if (other) {
    unlinkSync(link);
    symlinkSync(other, link);
  }
  if (plugin === 'swc') {
    // Nx transpiles a plugin's TypeScript only when the workspace has a root tsconfig.
    const tsconfig = { extends: join(REPO_ROOT, 'tsconfig.base.json'), include: [join(REPO_ROOT, 'packages/nix-fleet-plugin/src/**/*.ts')] };
    writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify(tsconfig));
  }
  if (plugin === 'noop') {
    const dir = join(root, 'node_modules', 'bench-noop-plugin');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-noop-plugin', main: 'index.js' }));
    writeFileSync(join(dir, 'index.js'), "exports.createNodesV2 = ['hosts/*/host.json', async () => []];\n");
  }
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

/** The project the plugin infers for `file`, written out as project.json (minus the name Nx takes from it). */
function handWritten(root: string, file: string) {
  if (file.startsWith('packages/profiles')) {
    return { name: 'profiles', projectType: 'library', tags: ['nix:profiles'], metadata: { description: 'Option-gated NixOS profile modules', technologies: ['nix'] } };
  }
  const projects = hostNode(file, { workspaceRoot: root, nxJsonConfiguration: {} }, sharedHostWork(root, {})).projects ?? {};
  const [project] = Object.values(projects);
  // The plugin's createDependencies makes every host depend on profiles.
  return { ...project, implicitDependencies: ['profiles'] };
}

interface Run {
  ms: number;
  /** The plugin's own createNodes + createDependencies, from NX_PERF_LOGGING. */
  pluginMs: number;
  /**
   * CPU time of nx and every process it started (the plugin workers), from a cpuacct cgroup:
   * less noisy than wall time on a shared machine. NaN where cgroup v1 cpuacct is not writable.
   */
  cpuMs: number;
  /** Starting the plugin's worker and importing the plugin, from NX_PERF_LOGGING. */
  loadMs: number;
  projects: number;
}

/** A cpuacct cgroup that nx and its workers run in, so their CPU time is counted whoever reaps them. */
const CGROUP = `/sys/fs/cgroup/cpuacct/nix-fleet-bench-graph-${process.pid}`;
function cpuCgroup(): string | undefined {
  try {
    if (!existsSync(CGROUP)) mkdirSync(CGROUP);
    writeFileSync(`${CGROUP}/cpuacct.usage`, '0');
    return CGROUP;
  } catch {
    return undefined;
  }
}

/** A cgroup is removed once its last process has exited; a worker may still be exiting. */
function removeCgroup(): void {
  for (let attempt = 0; existsSync(CGROUP) && attempt < 50; attempt++) {
    try {
      rmdirSync(CGROUP);
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

function timeShowProjects(root: string): Run {
  const cgroup = cpuCgroup();
  const nx = [process.execPath, NX, 'show', 'projects', '--json'];
  const [command, ...args] = cgroup ? ['sh', '-c', `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`, 'sh', ...nx] : nx;
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NX_DAEMON: 'false', NX_PERF_LOGGING: 'true', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`nx show projects failed in ${root}:\n${result.stderr}`);
  const output = result.stdout + result.stderr;
  const perf = (name: string) => Number(new RegExp(`'${name}' ([0-9.]+)ms`).exec(output)?.[1] ?? 0);
  const pluginMs = perf('@nix-fleet/nx:createNodes') + perf('@nix-fleet/nx:createDependencies');
  const loadMs = Number(/'Load Nx Plugin: (?:@nix-fleet\/nx|bench-noop-plugin|\/[^']*index\.ts)' ([0-9.]+)ms/.exec(output)?.[1] ?? 0);
  const cpuMs = cgroup ? Number(readFileSync(`${cgroup}/cpuacct.usage`, 'utf-8')) / 1e6 : NaN;
  const json = (result.stdout.match(/^\[.*\]$/m) ?? ['[]'])[0];
  return { ms, cpuMs, pluginMs, loadMs, projects: JSON.parse(json).length };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface Variant {
  key: string;
  label: string;
  hosts: number;
  root: string;
  runs: Run[];
}

function main() {
  const all: Array<[string, string, number, PluginKind, boolean]> = [
    ['none-0', 'no plugin, 0 hosts', 0, 'none', false],
    ['noop-0', 'do-nothing plugin, 0 hosts', 0, 'noop', false],
    ['built-0', 'built plugin, 0 hosts', 0, 'built', false],
    ['source-0', 'plugin source via dev-entry.js (cached transpile), 0 hosts', 0, 'source', false],
    ['swc-0', 'plugin source via swc (src/index.ts in nx.json), 0 hosts', 0, 'swc', false],
    [`json-${HOSTS}`, `${HOSTS} hosts as project.json, no plugin`, HOSTS, 'none', true],
    [`built-${HOSTS}`, `${HOSTS} hosts, built plugin`, HOSTS, 'built', false],
  ];
  if (BEFORE) {
    all.splice(3, 0, ['before-0', 'plugin --before, 0 hosts', 0, 'before', false]);
    all.push([`before-${HOSTS}`, `${HOSTS} hosts, plugin --before`, HOSTS, 'before', false]);
  }
  const only = arg('only', '').split(',').filter(Boolean);
  const variants: Variant[] = [];
  try {
    for (const [key, label, hosts, plugin, projectJson] of all.filter(([key]) => only.length === 0 || only.includes(key))) {
      variants.push({ key, label, hosts, root: makeWorkspace(hosts, plugin, projectJson), runs: [] });
    }
    for (const v of variants) timeShowProjects(v.root); // warm the file system cache
    for (let round = 0; round < RUNS; round++) {
      process.stderr.write(`  round ${round + 1}/${RUNS}\n`);
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(round + i) % variants.length];
        v.runs.push(timeShowProjects(v.root));
      }
    }
  } finally {
    for (const v of variants) rmSync(v.root, { recursive: true, force: true });
    removeCgroup();
  }
  report(variants);
}

function report(variants: Variant[]) {
  const by = (key: string) => variants.find((v) => v.key === key);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const isolation = process.env.NX_ISOLATE_PLUGINS === 'false' ? ', plugins in the nx process (NX_ISOLATE_PLUGINS=false)' : '';
  console.log(`nx show projects, daemon off${isolation}, ${RUNS} rounds side by side, medians; ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(line(['workspace', 'projects', 'nx show projects (ms)', 'fastest run (ms)', 'CPU, nx + workers (ms)', 'load plugin (ms)', 'createNodes+deps (ms)']));
  console.log(line(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const v of variants) {
    const m = (f: (r: Run) => number) => median(v.runs.map(f));
    console.log(line([v.label, String(v.runs[0].projects), m((r) => r.ms).toFixed(0), Math.min(...v.runs.map((r) => r.ms)).toFixed(0), m((r) => r.cpuMs).toFixed(0), m((r) => r.loadMs).toFixed(0), m((r) => r.pluginMs).toFixed(1)]));
  }
  // Paired per round: the difference or ratio of two workspaces measured back to back.
  const paired = (a: Variant, b: Variant, f: (x: number, y: number) => number, of: (r: Run) => number) => median(a.runs.map((r, i) => f(of(r), of(b.runs[i]))));
  const compare: Array<[string, string, string, 'ms' | 'x']> = [
    ['Fixed cost: built plugin vs no plugin, 0 hosts', 'built-0', 'none-0', 'ms'],
    ["Nx's own cost of any plugin: do-nothing plugin vs no plugin", 'noop-0', 'none-0', 'ms'],
    ['Built plugin vs do-nothing plugin, 0 hosts', 'built-0', 'noop-0', 'ms'],
    ['Plugin --before vs no plugin, 0 hosts', 'before-0', 'none-0', 'ms'],
    ['Plugin source via dev-entry.js vs built plugin, 0 hosts', 'source-0', 'built-0', 'ms'],
    ['Plugin source via swc vs built plugin, 0 hosts', 'swc-0', 'built-0', 'ms'],
    [`${HOSTS} inferred hosts vs ${HOSTS} hand-written project.json`, `built-${HOSTS}`, `json-${HOSTS}`, 'x'],
    [`${HOSTS} hosts inferred by plugin --before vs hand-written project.json`, `before-${HOSTS}`, `json-${HOSTS}`, 'x'],
  ];
  const rows = compare.filter(([, a, b]) => by(a) && by(b));
  if (rows.length === 0) return;
  console.log(`\n${line(['comparison (paired per round, median)', 'wall time', 'CPU time'])}`);
  console.log(line(['---', '---:', '---:']));
  const show = (unit: 'ms' | 'x', a: Variant, b: Variant, of: (r: Run) => number) => {
    if (unit === 'x') return `${paired(a, b, (x, y) => x / y, of).toFixed(2)}x`;
    const d = paired(a, b, (x, y) => x - y, of);
    return `${d >= 0 ? '+' : ''}${d.toFixed(0)} ms`;
  };
  for (const [label, a, b, unit] of rows) {
    console.log(line([label, show(unit, by(a)!, by(b)!, (r) => r.ms), show(unit, by(a)!, by(b)!, (r) => r.cpuMs)]));
  }
}

if (require.main === module) main();
