// Batch build (the default with "preferBatch"; off with --batch=false): many hosts, one evaluation, one `nix build`.
//
// Nx forks a process per task, which costs more than building a small host. In a batch, the
// eval tasks have found every host's drvPath (fleet-eval.ts), one `nix build` of those
// derivations lets Nix schedule them all, and each result is matched to its host by drvPath
// (Nix prints results in no fixed order). Then each host gets its GC root and build.json as
// the one-host executor writes them. Hosts with buildHost, cacheTo or dryRun, and any batch
// that fails, run one by one through the one-host executor, so each reports its own error.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { HOSTNAME_PATTERN } from '../../constants';
import { hostFileOf } from '../../host/resolve-host';
import { readHostJson } from '../../host/host-json';
import { outLinkPath, previousOutPath } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { drvInstallable, nixBuildArgs, nixGcRootArgs, parseNixBuildResults, type Toplevel } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { inParallel } from '../../process/pool';
import { CommandError, run } from '../../process/run';
import { evalHashOf } from '../task-hash';
import buildExecutor from './executor';
import { provenToplevels } from './proven-toplevels';
import { checkScaleOptions } from './options';
import { ProgressReporter } from '../../nix/progress';
import { checkedOptions } from '../option-rule';
import type { BuildExecutorSchema } from './schema';
import { builtLine, recordBuilt } from './record-built';
import { eachTask, taskContext, type BatchYield } from '../batch/each-task';

/** A host built on its target (deployment.buildOn remote) only gets its record, from the one-host executor. */
function buildsOnTarget(root: string, host: string): boolean {
  try {
    return readHostJson(root, hostFileOf(host)).deployment?.buildOn === 'remote';
  } catch {
    return false;
  }
}

/** Tasks that can share one nix build: same flake, builders, extra args and log style. */
export function batchKey(o: BuildExecutorSchema): string | undefined {
  if (o.dryRun || o.buildHost || o.cacheTo || o.signingKey) return undefined;
  return JSON.stringify([o.flake ?? '.', o.builders ?? null, o.extraArgs ?? [], o.progress !== false]);
}

/**
 * Pairs each host with what `nix build` printed for its derivation. Several hosts may share
 * one derivation; a host whose derivation gave no result, or another output, is an error.
 */
export function matchBuildResults(toplevels: Record<string, Toplevel>, built: Toplevel[]): Record<string, Toplevel> {
  const byDrv = new Map(built.map((b) => [b.drvPath, b.outPath]));
  const matched: Record<string, Toplevel> = {};
  for (const [host, t] of Object.entries(toplevels)) {
    const out = byDrv.get(t.drvPath);
    if (out !== t.outPath) {
      throw new Error(`nix build printed ${out ? `${out}, not ${t.outPath},` : 'no result'} for ${t.drvPath} (host "${host}").`);
    }
    matched[host] = t;
  }
  return matched;
}

/** One `nix build` of every host in `ids`; each host's report line once its records are written. */
async function buildTogether(ids: string[], hosts: string[], evalHashes: Array<string | undefined>, taskHashes: Array<string | undefined>, options: BuildExecutorSchema, context: ExecutorContext): Promise<Array<{ id: string; line: string }>> {
  const root = context.root;
  // One host's progress reads as it does from the one-host executor: under its name.
  const label = hosts.length === 1 ? hosts[0] : `batch of ${hosts.length}`;
  const progress = options.progress !== false ? new ProgressReporter(label, (l) => process.stderr.write(`${l}\n`)) : undefined;
  const { builders } = checkScaleOptions(options, root);
  progress?.step(`reading the evaluation of ${hosts.join(', ')}`);
  const toplevels = await provenToplevels(context, options.flake, flakeRefFor(root, options.flake), hosts.map((host, i) => ({ host, key: evalHashes[i] })));
  const missing = Object.values(toplevels).find((t) => !existsSync(t.drvPath));
  if (missing) throw new Error(`${missing.drvPath} is no longer in the store`);
  const version = await nixVersion();
  const installables = [...new Set(Object.values(toplevels).map((t) => drvInstallable(t.drvPath, version)))];
  // One host links its GC root in the build itself, as the one-host executor does; several
  // hosts get theirs after the one build (nix names a build's links by position, not by host).
  const outLink = hosts.length === 1 ? relative(root, outLinkPath(root, hosts[0])) : undefined;
  const args = nixBuildArgs({ installables, outLink, extraArgs: options.extraArgs, builders, logFormat: progress ? 'internal-json' : undefined });
  progress?.step(`building ${installables.length} systems`);
  const result = await run('nix', args, progress ? { cwd: root, echo: true, onStderrLine: (l) => progress.line(l) } : { cwd: root, echo: true, streamStderr: true }).catch(
    (e: unknown) => {
      throw progress?.firstError && e instanceof CommandError ? new Error(progress.firstError) : e;
    },
  );
  const built = matchBuildResults(toplevels, parseNixBuildResults(result.stdout));
  const before = Object.fromEntries(hosts.map((host) => [host, previousOutPath(root, host)]));
  if (!outLink) await inParallel(hosts, 4, (host) => run('nix', nixGcRootArgs(built[host].outPath, relative(root, outLinkPath(root, host))), { cwd: root }));
  return hosts.map((host, i) => {
    const system = toplevels[host].system ?? readHostJson(root, hostFileOf(host)).system;
    const record = recordBuilt(root, { host, system, toplevel: built[host], nixVersion: version, taskHash: taskHashes[i], before: before[host] });
    return { id: ids[i], line: builtLine(host, built[host].outPath, record) };
  });
}

/**
 * An async generator (Nx reports each host as it is yielded): the shared builds first, then
 * the hosts that build alone, each through the one-host executor with its own output.
 */
export default async function* buildBatch(taskGraph: TaskGraph, inputs: Record<string, BuildExecutorSchema>, _overrides: BuildExecutorSchema, context: ExecutorContext): AsyncGenerator<BatchYield> {
  const groups = new Map<string, string[]>();
  const alone: string[] = [];
  const hostOf = (id: string) => inputs[id].host ?? taskGraph.tasks[id].target.project;
  // context.taskGraph is the whole run's, taskGraph only this batch's: the eval task each build
  // depends on, whose hash keys its evaluation, is only in the former.
  const contextOf = (id: string) => taskContext(taskGraph, context, id);
  for (const id of Object.keys(inputs)) {
    // A task with an option build does not know goes alone, where the executor refuses it.
    try {
      inputs[id] = checkedOptions('build', inputs[id], contextOf(id));
    } catch {
      alone.push(id);
      continue;
    }
    const key = batchKey(inputs[id]);
    // A task whose --host is another project's builds alone: its hash is not that host's.
    const foreign = inputs[id].host !== undefined && inputs[id].host !== taskGraph.tasks[id].target.project;
    if (key === undefined || foreign || !HOSTNAME_PATTERN.test(hostOf(id)) || buildsOnTarget(context.root, hostOf(id))) alone.push(id);
    else groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  for (const ids of groups.values()) {
    const hosts = ids.map(hostOf);
    const startTime = Date.now();
    let built: Array<{ id: string; line: string }>;
    try {
      built = await buildTogether(ids, hosts, ids.map((id) => evalHashOf(contextOf(id), hostOf(id))), ids.map((id) => taskGraph.tasks[id].hash), inputs[ids[0]], contextOf(ids[0]));
    } catch (e) {
      const why = e instanceof CommandError ? e.reason : (e as Error).message;
      console.error(`\nThe batch build of ${hosts.join(', ')} failed (${why.split('\n')[0]}); building them one by one to tell which.`);
      alone.push(...ids);
      continue;
    }
    for (const { id, line } of built) yield { task: id, result: { success: true, terminalOutput: `${line}\n`, startTime, endTime: Date.now() } };
  }
  // One at a time, as before: a build host or a cache upload is the slow part, not this process.
  yield* eachTask(alone, (id) => buildExecutor(inputs[id], contextOf(id)), { limit: 1 });
}
