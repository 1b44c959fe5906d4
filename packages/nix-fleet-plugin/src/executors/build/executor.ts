// @nix-fleet/nx:build: nix build of the derivation the eval target found, recorded in dist/hosts/<host>/build.json.
import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { existsSync } from 'node:fs';
import { explainNixFailure } from '../../host/preflight';
import { resolveHost } from '../../host/resolve-host';
import { outLinkPath, previousOutPath } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { drvInstallable, nixBuildArgs, nixCopyToArgs, nixStoreArgs, nixStoreSignArgs, parseNixBuildJson, toplevelInstallable } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { CommandError, run, type RunOptions } from '../../process/run';
import { checkOwnHost, evalHashOf, ownTaskHash } from '../task-hash';
import { recordBuildChange } from '../../nix/build-changes';
import { provenToplevels } from './proven-toplevels';
import { checkScaleOptions, checkSigningKeyLocation } from './options';
import { ProgressReporter } from '../../nix/progress';
import { checkedOptions } from '../option-rule';
import { recordRemoteBuild } from './remote-record';
import { builtLine, recordBuilt } from './record-built';
import type { BuildExecutorSchema } from './schema';

export default async function buildExecutor(given: BuildExecutorSchema, context: ExecutorContext) {
  const label = given.host ?? context.projectName ?? 'build';
  let options: BuildExecutorSchema;
  try {
    options = checkedOptions('build', given, context);
  } catch (e) {
    console.error(`\nBuild of ${label} refused: ${(e as Error).message}`);
    return { success: false };
  }
  const progress = options.progress !== false ? new ProgressReporter(label, (l) => process.stderr.write(`${l}\n`)) : undefined;
  // With progress, nix's stderr is JSON: the reporter prints it and keeps the error line.
  const output: RunOptions = progress ? { cwd: context.root, echo: true, onStderrLine: (l) => progress.line(l) } : { cwd: context.root, streamStderr: true, echo: true };
  const logFormat = progress ? ('internal-json' as const) : undefined;
  try {
    const { host, hostJson } = resolveHost(options, context);
    checkOwnHost(context, host);
    const root = context.root;
    const scale = checkScaleOptions(options, root);
    if (scale.signingKey) await checkSigningKeyLocation(scale.signingKey, root);
    const flakeRef = flakeRefFor(root, options.flake);
    progress?.step('reading the evaluation');
    const expected = (await provenToplevels(context, options.flake, flakeRef, [{ host, key: evalHashOf(context, host) }]))[host];
    if (hostJson.deployment?.buildOn === 'remote') return recordRemoteBuild(root, host, expected, hostJson.system, ownTaskHash(context));
    // By drvPath, so nothing is evaluated again; a build host evaluates the flake itself
    // (--eval-store auto), and a garbage-collected derivation needs the flake again too.
    const byDrv = !scale.buildHost && existsSync(expected.drvPath);
    const installable = byDrv ? drvInstallable(expected.drvPath, await nixVersion()) : toplevelInstallable(flakeRef, host);
    const outLink = relative(root, outLinkPath(root, host));
    const args = nixBuildArgs({ installables: [installable], outLink, dryRun: options.dryRun, extraArgs: options.extraArgs, builders: scale.builders, buildHost: scale.buildHost, logFormat });
    progress?.step(scale.buildHost ? `building on ${scale.buildHost}` : 'building');
    const before = previousOutPath(root, host);
    const result = await run('nix', args, output);
    if (options.dryRun) {
      recordBuildChange(root, host, ownTaskHash(context), false);
      return { success: true };
    }
    const toplevel = parseNixBuildJson(result.stdout);
    if (toplevel.outPath !== expected.outPath) throw new Error(`nix build gave ${toplevel.outPath}, but ${host} evaluates to ${expected.outPath} (${expected.drvPath}).`);
    if (scale.cacheTo) {
      // A build host keeps the result in its store, so signing and copying start there.
      const from = scale.buildHost ? nixStoreArgs(scale.buildHost) : [];
      if (scale.signingKey) await run('nix', [...nixStoreSignArgs(scale.signingKey, toplevel.outPath), ...from], output);
      progress?.step(`copying to ${scale.cacheTo}`);
      await run('nix', [...nixCopyToArgs(scale.cacheTo, toplevel.outPath, logFormat), ...from], output);
    }
    const record = recordBuilt(root, { host, system: expected.system ?? hostJson.system, toplevel, nixVersion: await nixVersion(), taskHash: ownTaskHash(context), before });
    console.log(builtLine(host, toplevel.outPath, record));
    return { success: true };
  } catch (e) {
    const why = e instanceof CommandError ? (progress?.firstError ?? e.reason) : (e as Error).message;
    const fix = e instanceof CommandError ? explainNixFailure(`${progress?.firstError ?? ''}\n${e.stderr}`) : undefined;
    console.error(`\nBuild of ${label} failed: ${why}${fix ? `\n${fix}` : ''}`);
    return { success: false };
  }
}
