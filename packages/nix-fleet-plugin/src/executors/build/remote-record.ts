// The build of a host with deployment.buildOn "remote": nothing is built here. The record names
// the derivation the eval proved (its .drv files are in the local store) and the system it
// gives; the deploy copies the derivation to the target and builds it there, as colmena's
// buildOnTarget does at deploy time.
import { relative } from 'node:path';
import { previousOutPath, writeBuildRecord } from '../../nix/build-record';
import { recordBuildChange } from '../../nix/build-changes';
import type { Toplevel } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';

export async function recordRemoteBuild(root: string, host: string, expected: Toplevel & { system?: string }, system: string, taskHash: string | undefined): Promise<{ success: boolean }> {
  const before = previousOutPath(root, host);
  const file = writeBuildRecord(root, { host, system: expected.system ?? system, drvPath: expected.drvPath, outPath: expected.outPath, nixVersion: await nixVersion(), buildOn: 'remote' });
  recordBuildChange(root, host, taskHash, before !== expected.outPath);
  console.log(
    `${host}: builds on its target at deploy time (deployment.buildOn: remote); nothing built here.\n` +
      `  derivation: ${expected.drvPath}\n  system:     ${expected.outPath}\n  record: ${relative(root, file)}`,
  );
  return { success: true };
}
