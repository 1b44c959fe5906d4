// deployment.buildOn = "remote", as colmena's buildOnTarget and deploy-rs's remoteBuild: the
// system's derivations are copied to the target (nix copy --derivation) and built there
// (nix-store --realise, through the privilege command when the target user is not root);
// nothing comes back. The deploying machine evaluates (the .drv files) and never builds.
import type { RunResult } from '../process/run';
import type { DeployPlan } from './options';
import type { ExecOptions } from './target';

export type BuildOn = 'local' | 'remote';

/** The derivation a remote host builds, set once the build record is proven. */
export interface RemoteBuild {
  drvPath: string;
}

/** The argv run on the target: realise the system from its copied derivation, print its outputs. */
export function realiseArgv(drvPath: string): string[] {
  return ['nix-store', '--realise', drvPath];
}

export interface RemoteBuildSteps {
  /** nix copy --derivation of drvPath's closure to the target (none for this machine). */
  copyDerivation?: (drvPath: string) => Promise<RunResult>;
  exec(remote: string[], opts: ExecOptions): Promise<RunResult>;
}

/** Copies the derivation and builds it on the target; throws unless it gives `outPath`. */
export async function buildOnTarget(steps: RemoteBuildSteps, plan: DeployPlan, build: RemoteBuild, outPath: string, log: (line: string) => void): Promise<RunResult> {
  if (steps.copyDerivation) {
    log(`${plan.host}: copying the derivation ${build.drvPath} (deployment.buildOn: remote)`);
    await steps.copyDerivation(build.drvPath);
  }
  log(`${plan.host}: building ${build.drvPath} on ${plan.target.host}`);
  const r = await steps.exec(realiseArgv(build.drvPath), {
    timeoutMs: plan.buildTimeout * 1000,
    onStderrLine: (line) => line.trim() && log(`  ${line.trim()}`),
  });
  const outputs = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!outputs.includes(outPath)) {
    throw new Error(`building ${build.drvPath} on ${plan.target.host} gave ${outputs.join(', ') || 'nothing'}, not ${outPath}.`);
  }
  return r;
}
