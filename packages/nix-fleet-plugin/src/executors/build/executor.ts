// @nix-fleet/nx:build: nix build of a host's toplevel, recorded in dist/hosts/<host>/build.json.
import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { readHostJson } from '../../graph/host-json';
import { HOSTNAME_PATTERN, HOSTS_DIR, HOST_FILE } from '../../constants';
import { outLinkPath, writeBuildRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { nixBuildArgs, nixCopyToArgs, nixStoreSignArgs, parseNixBuildJson, toplevelInstallable } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { CommandError, run, type RunOptions } from '../../nix/run';
import { checkScaleOptions } from './options';
import { ProgressReporter } from './progress';
import type { BuildExecutorSchema } from './schema';

export function hostOf(options: { host?: string }, context: ExecutorContext): string {
  const host = options.host ?? context.projectName;
  if (!host) throw new Error('No host: pass --host=<name> or run the target of a host project.');
  return host;
}

export default async function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext) {
  const host = hostOf(options, context);
  const root = context.root;
  const progress = options.progress !== false ? new ProgressReporter(host, (l) => process.stderr.write(`${l}\n`)) : undefined;
  // With progress, nix's stderr is JSON: the reporter prints it and keeps the error line.
  const output: RunOptions = progress ? { cwd: root, echo: true, onStderrLine: (l) => progress.line(l) } : { cwd: root, streamStderr: true, echo: true };
  const logFormat = progress ? ('internal-json' as const) : undefined;
  try {
    if (!HOSTNAME_PATTERN.test(host)) throw new Error(`"${host}" is not a valid host name (lowercase letters, digits and dashes).`);
    const hostJson = readHostJson(root, `${HOSTS_DIR}/${host}/${HOST_FILE}`);
    const scale = checkScaleOptions(options, root);
    const installable = toplevelInstallable(flakeRefFor(root, options.flake), host);
    const outLink = relative(root, outLinkPath(root, host));
    const args = nixBuildArgs({ installable, outLink, dryRun: options.dryRun, extraArgs: options.extraArgs, builders: scale.builders, buildHost: scale.buildHost, logFormat });
    progress?.step(scale.buildHost ? `evaluating, then building on ${scale.buildHost}` : 'evaluating');
    const result = await run('nix', args, output);
    if (options.dryRun) return { success: true };
    const { drvPath, outPath } = parseNixBuildJson(result.stdout);
    if (scale.cacheTo) {
      // A build host keeps the result in its store, so signing and copying start there.
      const from = scale.buildHost ? ['--store', `ssh-ng://${scale.buildHost}`] : [];
      if (scale.signingKey) await run('nix', [...nixStoreSignArgs(scale.signingKey, outPath), ...from], output);
      progress?.step(`copying to ${scale.cacheTo}`);
      await run('nix', [...nixCopyToArgs(scale.cacheTo, outPath, logFormat), ...from], output);
    }
    const file = writeBuildRecord(root, { host, system: hostJson.system, drvPath, outPath, nixVersion: await nixVersion() });
    console.log(`${host}: ${outPath}\n  record: ${relative(root, file)}`);
    return { success: true };
  } catch (e) {
    const why = e instanceof CommandError ? (progress?.firstError ?? e.reason) : (e as Error).message;
    console.error(`\nBuild of ${host} failed: ${why}`);
    return { success: false };
  }
}
