// The build of a host with deployment.buildOn "remote": nothing is built here. The record names
// the derivation the eval proved (its .drv files are in the local store) and the system it
// gives; the deploy copies the derivation to the target and builds it there, as colmena's
// buildOnTarget does at deploy time.
import { previousOutPath } from '../../nix/build-record';
import type { Toplevel } from '../../nix/nix-argv';
import { nixVersion } from '../../nix/nix-version';
import { recordBuilt } from './record-built';

export async function recordRemoteBuild(root: string, host: string, expected: Toplevel & { system?: string }, system: string, taskHash: string | undefined): Promise<{ success: boolean }> {
  const toplevel = { drvPath: expected.drvPath, outPath: expected.outPath };
  const record = recordBuilt(root, { host, system: expected.system ?? system, toplevel, nixVersion: await nixVersion(), taskHash, before: previousOutPath(root, host), buildOn: 'remote' });
  console.log(
    `${host}: builds on its target at deploy time (deployment.buildOn: remote); nothing built here.\n` +
      `  derivation: ${expected.drvPath}\n  system:     ${expected.outPath}\n  record: ${record}`,
  );
  return { success: true };
}
