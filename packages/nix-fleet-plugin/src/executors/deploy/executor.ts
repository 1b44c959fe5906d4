// @nix-fleet/nx:deploy: one host per task; copy, activate, confirm, roll back on failure.
import type { ExecutorContext } from '@nx/devkit';
import { HOSTNAME_PATTERN } from '../../constants';
import { deployHost } from '../../deploy/deploy-host';
import { localOptions, targetFor } from '../../deploy/local-target';
import { deployPlan } from '../../deploy/options';
import { SUCCESS, writeResult, type DeployResult } from '../../deploy/result';
import { resolveHost } from '../../host/resolve-host';
import { verifiedRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { buildHashOf } from '../task-hash';
import type { DeployExecutorSchema } from './schema';

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
      return `Deploy of ${r.host} failed at ${r.step}: ${r.message}`;
  }
}

export default async function deployExecutor(options: DeployExecutorSchema, context: ExecutorContext) {
  const root = context.root;
  const log = (line: string) => console.log(line);
  let host = options.host ?? context.projectName ?? '';
  let result: DeployResult;
  try {
    const resolved = resolveHost(options, context);
    host = resolved.host;
    const plan = deployPlan(host, resolved.hostJson, localOptions(options));
    if (plan.addressNote) log(plan.addressNote);
    // Proven to be this host's system at this commit before anything is sent to the host.
    const record = await verifiedRecord(root, host, flakeRefFor(root, options.flake), buildHashOf(context, false));
    result = await deployHost(plan, record.outPath, log, targetFor(plan, log));
  } catch (e) {
    // Bad options or a missing build: nothing was sent to the host.
    console.error(`\nDeploy of ${host} failed: ${(e as Error).message}`);
    // A host name that failed its check names no file to write.
    if (HOSTNAME_PATTERN.test(host)) writeResult(root, { host, status: 'failed', mode: options.mode ?? 'switch', outPath: '', copied: false, step: 'plan', message: (e as Error).message, durationMs: 0, finishedAt: Date.now() });
    return { success: false };
  }
  writeResult(root, result);
  const ok = SUCCESS.includes(result.status);
  (ok ? console.log : console.error)(`\n${resultLine(result)}`);
  return { success: ok };
}
