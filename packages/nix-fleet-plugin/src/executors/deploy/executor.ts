// @nix-fleet/nx:deploy: one host per task, through the same host-operation path as rollback,
// exec and generations; copy, activate, confirm, roll back on failure. batch.ts runs many.
import type { ExecutorContext } from '@nx/devkit';
import { deployHost } from '../../deploy/deploy-host';
import { recordRunTasks } from '../../deploy/run-tasks';
import { DIST_DEPLOY, SUCCESS, writeResult, type DeployResult } from '../../deploy/result';
import { explainNixFailure } from '../../host/preflight';
import { CommandError } from '../../process/run';
import { verifiedRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { addedForWave } from '../../graph/waves';
import { evalHashOf, evalPeers } from '../task-hash';
import { failedPlan, writePlanResult, type PlanResult } from '../../deploy/plan';
import { packageCounts, planOne } from './plan-run';
import { runHostOperation, type HostOperation, type InBatch } from '../host-operation';
import type { DeployExecutorSchema } from './schema';

export function resultLine(r: DeployResult): string {
  const by = r.rolledBackBy ? ` by the ${r.rolledBackBy}` : '';
  switch (r.status) {
    case 'deployed':
      return `${r.host}: deployed ${r.outPath} (${r.mode})`;
    case 'unchanged':
      return `${r.host}: unchanged, already running ${r.outPath}; nothing copied (pass --force to redeploy)`;
    case 'dry-activated':
      return `${r.host}: dry-activate of ${r.outPath} done; nothing changed`;
    case 'rolled-back':
      return `Deploy of ${r.host} failed at ${r.step} and was rolled back${by} to ${r.previous ?? 'the previous generation'}:\n${r.message}`;
    default:
      if (r.step === 'interrupted') return `Deploy of ${r.host} ${r.message}`;
      return `Deploy of ${r.host} failed at ${r.step}: ${r.message}`;
  }
}

/** A deploy task's outcome: a deploy's result, or (--mode=plan) a plan's. */
export type DeployOutcome = { host: string; deploy: DeployResult; plan?: undefined } | { host: string; plan: PlanResult; deploy?: undefined };

function refusedDeploy(host: string, mode: DeployExecutorSchema['mode'], message: string): DeployResult {
  return { host, status: 'failed', mode: mode ?? 'switch', outPath: '', copied: false, step: 'preflight', message, durationMs: 0, finishedAt: Date.now() };
}

/** Deploy as a host operation; `log` is the task's own output (a batch keeps one per host). */
export function deployOperation(given: DeployExecutorSchema, context: ExecutorContext, log: (line: string) => void): HostOperation<DeployOutcome, DeployExecutorSchema> {
  const root = context.root;
  let mode = given.mode;
  // dry-activate's "would start/stop/restart ..." lines go into the fleet table after the run.
  const wouldDo: string[] = [];
  const said = (line: string) => {
    const would = /^\s*\| (would .*)$/.exec(line);
    if (would) wouldDo.push(would[1]);
    log(line);
  };
  let outPath = '';
  return {
    title: mode === 'plan' ? 'Plan' : 'Deploy',
    executor: 'deploy',
    dist: DIST_DEPLOY,
    refusal: 'refused',
    skip: (options) => {
      mode = options.mode;
      // Nx added this task only to keep the waves in order (src/graph/waves.ts): not selected.
      if (!addedForWave(options, context.projectName)) return undefined;
      return `${context.projectName}: not selected in this run; its deploy task is here only to keep ${options.waveOf} in a later wave. Nothing done.`;
    },
    // Proven to be this host's system at this commit before anything is sent to the host.
    // The deploys of a run share one evaluation where this machine has no proof at this content.
    prepare: async (plan, resolved, options) => {
      const record = await verifiedRecord(root, plan.host, flakeRefFor(root, options.flake), evalHashOf(context, plan.host), evalPeers(context, options.flake ?? '.'));
      // deployment.buildOn remote: the deploy builds the proven derivation on the target (remote-build.ts).
      if (resolved.hostJson.deployment?.buildOn === 'remote') plan.remoteBuild = { drvPath: record.drvPath };
      outPath = record.outPath;
    },
    // A deploy shares one ssh connection among its steps (the confirmation still makes a new one).
    shared: (options) => options.mode !== 'plan',
    run: async (plan, t, options) => {
      // An unreachable host is an outcome of the plan: later waves' plans must not be skipped.
      if (options.mode === 'plan') return { host: plan.host, plan: await planOne(root, plan, outPath, said, t) };
      const result = await deployHost(plan, outPath, said, t);
      if (result.status === 'deployed') result.packages = await packageCounts(root, plan, result.previous, outPath, t);
      if (result.status === 'dry-activated') result.wouldDo = wouldDo;
      return { host: plan.host, deploy: result };
    },
    refused: (host, message) => (mode === 'plan' ? { host, plan: failedPlan(host, message) } : { host, deploy: refusedDeploy(host, mode, message) }),
    ok: (r) => (r.plan ? r.plan.status !== 'failed' : SUCCESS.includes(r.deploy.status)),
    line: (r) => (r.deploy ? resultLine(r.deploy) : undefined),
    write: (dir, r) => (r.plan ? writePlanResult(dir, r.plan) : void writeResult(dir, r.deploy)),
    explain: (e) => (e instanceof CommandError ? explainNixFailure(e.stderr) : undefined),
  };
}

/** One host's deploy task, alone (its own process) or in a batch (`batch` holds its log and the batch's stop). */
export async function deployTask(given: DeployExecutorSchema, context: ExecutorContext, batch?: InBatch) {
  const log = batch?.log ?? ((line: string) => console.log(line));
  return runHostOperation<DeployOutcome, DeployExecutorSchema>(deployOperation(given, context, log), given, context, batch);
}

export default async function deployExecutor(given: DeployExecutorSchema, context: ExecutorContext) {
  recordRunTasks(context);
  const { success } = await deployTask(given, context);
  return { success };
}
