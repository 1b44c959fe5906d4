// @nix-fleet/nx:eval: what a host's system evaluates to, in dist/hosts/<host>/toplevel.json.
import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { explainNixFailure, preflightBuild, preflightDeploy, readPreflightFacts, runDeploys } from '../../host/preflight';
import { resolveHost } from '../../host/resolve-host';
import { refuseUnaskedLocalDeploy } from '../../deploy/machine-check';
import { flakeRefFor } from '../../nix/flake-ref';
import { checkMemoryPerHost, sharedToplevel } from '../../nix/fleet-eval';
import { CommandError } from '../../process/run';
import { writeToplevelRecord } from '../../nix/toplevel-record';
import { checkOwnHost, evalHashOf, evalPeers, firstEvalOfRun } from '../task-hash';
import { checkedOptions } from '../option-rule';
import { writeEvalFailure } from '../../summary/upstream-failure';
import type { EvalExecutorSchema } from './schema';

export default async function evalExecutor(given: EvalExecutorSchema, context: ExecutorContext) {
  const label = given.host ?? context.projectName ?? 'eval';
  try {
    const options = checkedOptions('eval', given, context);
    const { host, hostJson } = resolveHost(options, context);
    checkOwnHost(context, host);
    const memoryPerHostMiB = checkMemoryPerHost(options.memoryPerHostMiB);
    const root = context.root;
    const flake = options.flake ?? '.';
    // Cheap checks before Nix: a missing flake, a placeholder hardware file, no target for a deploy.
    const facts = readPreflightFacts(root, host, flake, hostJson.deployment?.targetHost);
    const problems = runDeploys(context, host) ? preflightDeploy(facts) : preflightBuild(facts);
    // The warnings are about the workspace, not the host: the run's first eval task says them.
    if (firstEvalOfRun(context)) for (const p of problems.filter((p) => p.severity === 'warning')) console.warn(`nix-fleet: ${p.message}`);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new Error(errors.map((p) => p.message).join('\n'));
    await refuseUnaskedLocalDeploy(context, host, hostJson.deployment);
    const toplevel = await sharedToplevel({ host, key: evalHashOf(context, host) }, evalPeers(context, flake, { willRun: true }), {
      root,
      flakeRef: flakeRefFor(root, options.flake),
      memoryPerHostMiB,
      log: (line) => process.stderr.write(`${host}: ${line}\n`),
    });
    const file = writeToplevelRecord(root, { host, system: hostJson.system, ...toplevel });
    console.log(`${host}: ${toplevel.outPath}\n  from ${toplevel.drvPath}\n  record: ${relative(root, file)}`);
    return { success: true };
  } catch (e) {
    const why = e instanceof CommandError ? e.reason : (e as Error).message;
    const fix = e instanceof CommandError ? explainNixFailure(e.stderr) : undefined;
    console.error(`\nEvaluation of ${label} failed: ${why}${fix ? `\n${fix}` : ''}`);
    writeEvalFailure(context.root, label, e instanceof CommandError ? `${e.stderr}\n${why}` : why);
    return { success: false };
  }
}
