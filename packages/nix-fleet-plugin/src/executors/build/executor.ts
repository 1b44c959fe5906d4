// @nix-fleet/nx:build: nix build of a host's toplevel, recorded in dist/hosts/<host>/build.json.
import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { explainNixFailure, preflightBuild, preflightDeploy, readPreflightFacts, runDeploys } from '../../host/preflight';
import { resolveHost } from '../../host/resolve-host';
import { outLinkPath, writeBuildRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { nixBuildArgs, nixCopyToArgs, nixStoreArgs, nixStoreSignArgs, parseNixBuildJson, toplevelInstallable } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { CommandError, run, type RunOptions } from '../../nix/run';
import { rememberToplevel } from '../../nix/toplevels';
import { buildHashOf } from '../task-hash';
import { checkScaleOptions, checkSigningKeyLocation } from './options';
import { ProgressReporter } from '../../nix/progress';
import type { BuildExecutorSchema } from './schema';

export default async function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext) {
  const label = options.host ?? context.projectName ?? 'build';
  const progress = options.progress !== false ? new ProgressReporter(label, (l) => process.stderr.write(`${l}\n`)) : undefined;
  // With progress, nix's stderr is JSON: the reporter prints it and keeps the error line.
  const output: RunOptions = progress ? { cwd: context.root, echo: true, onStderrLine: (l) => progress.line(l) } : { cwd: context.root, streamStderr: true, echo: true };
  const logFormat = progress ? ('internal-json' as const) : undefined;
  try {
    const { host, hostJson } = resolveHost(options, context);
    const root = context.root;
    const scale = checkScaleOptions(options, root);
    if (scale.signingKey) await checkSigningKeyLocation(scale.signingKey, root);
    // Cheap checks before Nix: a missing flake, a placeholder hardware file, no target for a deploy.
    const facts = readPreflightFacts(root, host, options.flake ?? '.', hostJson.deployment?.targetHost);
    const problems = runDeploys(context, host) ? preflightDeploy(facts) : preflightBuild(facts);
    for (const p of problems.filter((p) => p.severity === 'warning')) console.warn(`${host}: ${p.message}`);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) throw new Error(errors.map((p) => p.message).join('\n'));
    const installable = toplevelInstallable(flakeRefFor(root, options.flake), host);
    const outLink = relative(root, outLinkPath(root, host));
    const args = nixBuildArgs({ installables: [installable], outLink, dryRun: options.dryRun, extraArgs: options.extraArgs, builders: scale.builders, buildHost: scale.buildHost, logFormat });
    progress?.step(scale.buildHost ? `evaluating, then building on ${scale.buildHost}` : 'evaluating');
    const result = await run('nix', args, output);
    if (options.dryRun) return { success: true };
    const toplevel = parseNixBuildJson(result.stdout);
    if (scale.cacheTo) {
      // A build host keeps the result in its store, so signing and copying start there.
      const from = scale.buildHost ? nixStoreArgs(scale.buildHost) : [];
      if (scale.signingKey) await run('nix', [...nixStoreSignArgs(scale.signingKey, toplevel.outPath), ...from], output);
      progress?.step(`copying to ${scale.cacheTo}`);
      await run('nix', [...nixCopyToArgs(scale.cacheTo, toplevel.outPath, logFormat), ...from], output);
    }
    const file = writeBuildRecord(root, { host, system: hostJson.system, ...toplevel, nixVersion: await nixVersion() });
    rememberToplevel(root, host, buildHashOf(context, true, host), toplevel);
    console.log(`${host}: ${toplevel.outPath}\n  record: ${relative(root, file)}`);
    return { success: true };
  } catch (e) {
    const why = e instanceof CommandError ? (progress?.firstError ?? e.reason) : (e as Error).message;
    const fix = e instanceof CommandError ? explainNixFailure(`${progress?.firstError ?? ''}\n${e.stderr}`) : undefined;
    console.error(`\nBuild of ${label} failed: ${why}${fix ? `\n${fix}` : ''}`);
    return { success: false };
  }
}
