// @nix-fleet/nx:deploy: one host per task; copy, activate, confirm, roll back on failure.
import type { ExecutorContext } from '@nx/devkit';
import { HOSTNAME_PATTERN } from '../../constants';
import { deployHost } from '../../deploy/deploy-host';
import { checkOneMachineTask, localOptions, targetFor } from '../../deploy/local-target';
import { deployPlan } from '../../deploy/options';
import { recordRunTasks } from '../../deploy/run-tasks';
import { SUCCESS, writeResult, type DeployResult } from '../../deploy/result';
import { explainNixFailure } from '../../host/preflight';
import { resolveHost } from '../../host/resolve-host';
import { CommandError } from '../../process/run';
import type { Target } from '../../deploy/target';
import { allowsLocalTargets, checkMachine } from '../../deploy/machine-check';
import { verifiedRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { addedForWave } from '../../graph/waves';
import { evalHashOf, evalPeers } from '../task-hash';
import { failedPlan, writePlanResult } from '../../deploy/plan';
import { packageCounts, planOne } from './plan-run';
import { fleetKnownHostsOption } from '../../install/known-hosts';
import { checkedOptions } from '../option-rule';
import type { DeployExecutorSchema } from './schema';
import { abortReason } from '../../process/command-error';
import { stopExitCode, watchForStop } from '../../deploy/stop-signal';

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

/** A host refused before anything reached it still gets its result, for the fleet table. */
function keepRefusal(root: string, host: string, mode: DeployExecutorSchema['mode'], message: string): void {
  // A host name that failed its check names no file to write.
  if (!HOSTNAME_PATTERN.test(host)) return;
  if (mode === 'plan') writePlanResult(root, failedPlan(host, message));
  else writeResult(root, { host, status: 'failed', mode: mode ?? 'switch', outPath: '', copied: false, step: 'preflight', message, durationMs: 0, finishedAt: Date.now() });
}

export default async function deployExecutor(given: DeployExecutorSchema, context: ExecutorContext) {
  const root = context.root;
  // dry-activate's "would start/stop/restart ..." lines go into the fleet table after the run.
  const wouldDo: string[] = [];
  const log = (line: string) => {
    const said = /^\s*\| (would .*)$/.exec(line);
    if (said) wouldDo.push(said[1]);
    console.log(line);
  };
  recordRunTasks(context);
  let options: DeployExecutorSchema;
  try {
    options = checkedOptions('deploy', given, context);
  } catch (e) {
    const host = given.host ?? context.projectName ?? '';
    console.error(`\n${given.mode === 'plan' ? 'Plan' : 'Deploy'} of ${host} refused: ${(e as Error).message}`);
    keepRefusal(root, host, given.mode, (e as Error).message);
    return { success: false };
  }
  // Nx added this task only to keep the waves in order (src/graph/waves.ts): not selected.
  if (addedForWave(options, context.projectName)) {
    log(`${context.projectName}: not selected in this run; its deploy task is here only to keep ${options.waveOf} in a later wave. Nothing done.`);
    return { success: true };
  }
  let host = options.host ?? context.projectName ?? '';
  let result: DeployResult;
  let t: Target | undefined;
  const stop = watchForStop();
  try {
    const resolved = resolveHost(options, context);
    host = resolved.host;
    checkOneMachineTask(options, Object.values(context.taskGraph?.tasks ?? {}), context.targetName);
    const plan = deployPlan(host, resolved.hostJson, localOptions(options));
    plan.target.knownHostsFile = fleetKnownHostsOption(root);
    if (plan.addressNote) log(plan.addressNote);
    // This machine only when asked, and no other host's machine: before anything is evaluated or sent.
    await checkMachine(root, host, plan, { local: options.local, targetHost: options.targetHost, allowed: allowsLocalTargets(context), targetName: context.targetName });
    // Proven to be this host's system at this commit before anything is sent to the host.
    // The deploys of a run share one evaluation where this machine has no proof at this content.
    const record = await verifiedRecord(root, host, flakeRefFor(root, options.flake), evalHashOf(context, host), evalPeers(context, options.flake ?? '.'));
    // ssh, or this machine for a local host: every step below sees only the Target. A deploy
    // shares one ssh connection among its steps (the confirmation still makes a new one).
    // deployment.buildOn remote: the deploy builds the proven derivation on the target (remote-build.ts).
    if (resolved.hostJson.deployment?.buildOn === 'remote') plan.remoteBuild = { drvPath: record.drvPath };
    t = targetFor(plan, log, { shared: options.mode !== 'plan', signal: stop.signal });
    if (options.mode === 'plan') {
      const planned = await planOne(root, plan, record.outPath, log, t);
      // An unreachable host is an outcome of the plan: later waves' plans must not be skipped.
      return { success: planned.status !== 'failed' };
    }
    result = await deployHost(plan, record.outPath, log, t);
    if (result.status === 'deployed') result.packages = await packageCounts(root, plan, result.previous, record.outPath, t);
    if (result.status === 'dry-activated') result.wouldDo = wouldDo;
  } catch (e) {
    // Bad options or a missing build: nothing was sent to the host.
    const message = (e as Error).message;
    const fix = e instanceof CommandError ? explainNixFailure(e.stderr) : undefined;
    console.error(`\n${options.mode === 'plan' ? 'Plan' : 'Deploy'} of ${host} failed: ${message}${fix ? `\n${fix}` : ''}`);
    keepRefusal(root, host, options.mode, message);
    return { success: false };
  } finally {
    await t?.close?.();
    stop.dispose();
  }
  writeResult(root, result);
  if (stop.signal.aborted) {
    console.error(`\n${resultLine(result)}`);
    // Nothing is left to wait for, and nx may be gone: this process ends here.
    process.exit(stopExitCode(abortReason(stop.signal)));
  }
  const ok = SUCCESS.includes(result.status);
  (ok ? console.log : console.error)(`\n${resultLine(result)}`);
  return { success: ok };
}
