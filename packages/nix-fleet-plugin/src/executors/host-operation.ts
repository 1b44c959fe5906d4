// What the day-two executors share: resolve the host, check the options into a plan (the same
// checks as deploy), pick the target (ssh, or this machine), run, and keep the host's result
// under dist/<operation>/ even when the options were refused before anything ran.
import type { ExecutorContext } from '@nx/devkit';
import { HOSTNAME_PATTERN } from '../constants';
import type { DeployOptions } from '../deploy/deploy-options';
import { checkOneLocalTask, localOptions, targetFor } from '../deploy/local-target';
import { deployPlan, type DeployPlan } from '../deploy/options';
import { allowsLocalTargets, checkMachine } from '../deploy/machine-check';
import type { Target } from '../deploy/target';
import { resolveHost } from '../host/resolve-host';
import { writeHostResult } from '../summary/host-results';

export interface HostOperation<R extends { host: string }> {
  /** "Rollback": starts every failure line. */
  title: string;
  dist: string;
  run: (plan: DeployPlan, t: Target) => Promise<R>;
  /** The result of a host whose options were refused (nothing reached it). */
  refused: (host: string, message: string) => R;
  ok: (r: R) => boolean;
}

export async function runHostOperation<R extends { host: string }>(op: HostOperation<R>, options: DeployOptions & { local?: boolean }, context: ExecutorContext): Promise<{ success: boolean; result?: R }> {
  let host = options.host ?? context.projectName ?? '';
  let result: R;
  try {
    const resolved = resolveHost(options, context);
    host = resolved.host;
    checkOneLocalTask(options.local, Object.values(context.taskGraph?.tasks ?? {}), context.targetName);
    const plan = deployPlan(host, resolved.hostJson, localOptions(options));
    if (plan.addressNote) console.log(plan.addressNote);
    await checkMachine(context.root, host, plan, { local: options.local, targetHost: options.targetHost, allowed: allowsLocalTargets(context), targetName: context.targetName });
    result = await op.run(plan, targetFor(plan, (line) => console.log(line)));
  } catch (e) {
    console.error(`\n${op.title} of ${host} failed: ${(e as Error).message}`);
    // A host name that failed its check names no file to write.
    if (HOSTNAME_PATTERN.test(host)) writeHostResult(context.root, op.dist, op.refused(host, (e as Error).message));
    return { success: false };
  }
  writeHostResult(context.root, op.dist, result);
  return { success: op.ok(result), result };
}
