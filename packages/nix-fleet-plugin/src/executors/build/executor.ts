// @nix-fleet/nx:build: nix build of a host's toplevel, recorded in dist/hosts/<host>/build.json.
import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { readHostJson } from '../../graph/host-json';
import { HOSTS_DIR, HOST_FILE } from '../../constants';
import { outLinkPath, writeBuildRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { nixBuildArgs, parseNixBuildJson, toplevelInstallable } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { CommandError, run } from '../../nix/run';
import type { BuildExecutorSchema } from './schema';

export function hostOf(options: { host?: string }, context: ExecutorContext): string {
  const host = options.host ?? context.projectName;
  if (!host) throw new Error('No host: pass --host=<name> or run the target of a host project.');
  return host;
}

export default async function buildExecutor(options: BuildExecutorSchema, context: ExecutorContext) {
  const host = hostOf(options, context);
  const root = context.root;
  try {
    const hostJson = readHostJson(root, `${HOSTS_DIR}/${host}/${HOST_FILE}`);
    const installable = toplevelInstallable(flakeRefFor(root, options.flake), host);
    const outLink = relative(root, outLinkPath(root, host));
    const args = nixBuildArgs({ installable, outLink, dryRun: options.dryRun, extraArgs: options.extraArgs });
    const result = await run('nix', args, { cwd: root, streamStderr: true, echo: true });
    if (options.dryRun) return { success: true };
    const { drvPath, outPath } = parseNixBuildJson(result.stdout);
    const file = writeBuildRecord(root, { host, system: hostJson.system, drvPath, outPath, nixVersion: await nixVersion() });
    console.log(`${host}: ${outPath}\n  record: ${relative(root, file)}`);
    return { success: true };
  } catch (e) {
    const why = e instanceof CommandError ? e.reason : (e as Error).message;
    console.error(`\nBuild of ${host} failed: ${why}`);
    return { success: false };
  }
}
