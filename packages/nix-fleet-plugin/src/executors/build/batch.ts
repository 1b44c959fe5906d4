// Batch build (`nx run-many -t build --batch`): many hosts in one `nix build`.
//
// Nx forks a process per task, which costs more than evaluating and building a small host.
// In a batch, one nix build evaluates the flake once and lets Nix schedule every host's
// derivations; then each host gets its GC root and build.json as the one-host executor writes
// them. Hosts with buildHost, cacheTo or dryRun, and any batch that fails, run one by one
// through the one-host executor, so every host reports its own result and error.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { relative } from 'node:path';
import { HOSTNAME_PATTERN, HOSTS_DIR, HOST_FILE } from '../../constants';
import { readHostJson } from '../../graph/host-json';
import { outLinkPath, writeBuildRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { nixBuildArgs, toplevelInstallable } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { CommandError, run } from '../../nix/run';
import buildExecutor from './executor';
import { checkScaleOptions } from './options';
import { ProgressReporter } from './progress';
import type { BuildExecutorSchema } from './schema';

type Results = Record<string, { success: boolean; terminalOutput: string; startTime?: number; endTime?: number }>;

/** Tasks that can share one nix build: same flake, builders, extra args and log style. */
export function batchKey(o: BuildExecutorSchema): string | undefined {
  if (o.dryRun || o.buildHost || o.cacheTo || o.signingKey) return undefined;
  return JSON.stringify([o.flake ?? '.', o.builders ?? null, o.extraArgs ?? [], o.progress !== false]);
}

/** `nix build --json` with several installables prints one entry per installable, in order. */
export function parseBatchJson(stdout: string, count: number): Array<{ drvPath: string; outPath: string }> {
  const parsed = JSON.parse(stdout) as Array<{ drvPath: string; outputs: Record<string, string> }>;
  if (parsed.length !== count || parsed.some((p) => !p.drvPath || !p.outputs?.out)) {
    throw new Error(`nix build --json printed ${parsed.length} results for ${count} hosts: ${stdout.slice(0, 200)}`);
  }
  return parsed.map((p) => ({ drvPath: p.drvPath, outPath: p.outputs.out }));
}

async function inParallel(jobs: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  }));
}

async function buildTogether(ids: string[], hosts: string[], options: BuildExecutorSchema, root: string): Promise<Results> {
  const progress = options.progress !== false ? new ProgressReporter(`batch of ${hosts.length}`, (l) => process.stderr.write(`${l}\n`)) : undefined;
  const flake = flakeRefFor(root, options.flake);
  const { builders } = checkScaleOptions(options, root);
  const installables = hosts.map((h) => toplevelInstallable(flake, h));
  const [first, ...rest] = installables;
  const args = nixBuildArgs({ installable: first, extraArgs: [...rest, ...(options.extraArgs ?? [])], builders, logFormat: progress ? 'internal-json' : undefined });
  progress?.step(`evaluating and building ${hosts.join(', ')}`);
  const started = Date.now();
  const result = await run('nix', args, progress ? { cwd: root, echo: true, onStderrLine: (l) => progress.line(l) } : { cwd: root, echo: true, streamStderr: true }).catch(
    (e: unknown) => {
      throw progress?.firstError && e instanceof CommandError ? new Error(progress.firstError) : e;
    },
  );
  const built = parseBatchJson(result.stdout, hosts.length);
  const version = await nixVersion();
  // One GC root per host; nix names several out-links of one call result, result-1, ...
  await inParallel(hosts.map((host, i) => () => run('nix', nixBuildArgs({ installable: built[i].outPath, outLink: relative(root, outLinkPath(root, host)) }), { cwd: root })), 4);
  const results: Results = {};
  for (const [i, host] of hosts.entries()) {
    const { drvPath, outPath } = built[i];
    const hostJson = readHostJson(root, `${HOSTS_DIR}/${host}/${HOST_FILE}`);
    const file = writeBuildRecord(root, { host, system: hostJson.system, drvPath, outPath, nixVersion: version });
    const text = `${host}: ${outPath}\n  record: ${relative(root, file)}`;
    console.log(text);
    results[ids[i]] = { success: true, terminalOutput: text, startTime: started, endTime: Date.now() };
  }
  return results;
}

export default async function buildBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, BuildExecutorSchema>,
  _overrides: BuildExecutorSchema,
  context: ExecutorContext,
): Promise<Results> {
  const results: Results = {};
  const groups = new Map<string, string[]>();
  const alone: string[] = [];
  for (const id of Object.keys(inputs)) {
    const key = batchKey(inputs[id]);
    const host = inputs[id].host ?? taskGraph.tasks[id].target.project;
    if (key === undefined || !HOSTNAME_PATTERN.test(host)) alone.push(id);
    else groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  for (const ids of groups.values()) {
    const hosts = ids.map((id) => inputs[id].host ?? taskGraph.tasks[id].target.project);
    try {
      Object.assign(results, await buildTogether(ids, hosts, inputs[ids[0]], context.root));
    } catch (e) {
      const why = e instanceof CommandError ? e.reason : (e as Error).message;
      console.error(`\nThe batch build of ${hosts.join(', ')} failed (${why.split('\n')[0]}); building them one by one to tell which.`);
      alone.push(...ids);
    }
  }
  for (const id of alone) {
    const task = taskGraph.tasks[id];
    const startTime = Date.now();
    const { success } = await buildExecutor(inputs[id], { ...context, projectName: task.target.project, targetName: task.target.target });
    results[id] = { success, terminalOutput: '', startTime, endTime: Date.now() };
  }
  return results;
}
