// @nix-fleet/nx:closure-size: closure size, biggest paths, package diff and budgets of a built host.
import type { ExecutorContext } from '@nx/devkit';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { closureOnTarget } from '../../operations/target-closure';
import { explainNixFailure } from '../../host/preflight';
import { resolveHost } from '../../host/resolve-host';
import { readBaseline, reportPath, writeBaseline, writeJson } from '../../closure/baseline';
import { resolveBudgets } from '../../closure/budget';
import { parsePathInfoJson } from '../../closure/path-info';
import { buildReport, renderReport, type ClosureReport } from '../../closure/report';
import { verifiedRecord } from '../../nix/build-record';
import { flakeRefFor } from '../../nix/flake-ref';
import { nixPathInfoClosureArgs } from '../../nix/nix-argv';
import { CommandError, run } from '../../process/run';
import { evalHashOf, evalPeers } from '../task-hash';
import type { EvalPeer } from '../../nix/fleet-eval';
import { checkedOptions } from '../option-rule';
import type { ClosureSizeExecutorSchema } from './schema';

/** Measures the host's closure and writes closure.json; throws on bad input before touching files. */
export async function measureClosure(options: ClosureSizeExecutorSchema, context: Pick<ExecutorContext, 'root' | 'projectName'>, evalHash?: string, peers: EvalPeer[] = []): Promise<ClosureReport> {
  const root = context.root;
  const { host, hostFile, hostJson } = resolveHost(options, context);
  const budgets = resolveBudgets(hostJson.budgets, { maxSize: options.maxSize, maxGrowth: options.maxGrowth }, hostFile);
  const top = options.top ?? 10;
  if (!Number.isInteger(top) || top < 1) throw new Error(`--top is ${top}: expected a whole number of at least 1.`);

  const record = await verifiedRecord(root, host, flakeRefFor(root, options.flake), evalHash, peers);
  // A host built on its target (buildOn remote) has its system only there: measured there.
  const remote = record.buildOn === 'remote' && !existsSync(record.outPath);
  const current = remote ? await closureOnTarget(host, hostJson, record.outPath) : parsePathInfoJson((await run('nix', nixPathInfoClosureArgs(record.outPath), { cwd: root })).stdout, record.outPath, host);

  const baseline = readBaseline(root, host);
  // --update-baseline accepts the growth, not a size over maxSize, and still shows the diff.
  const report = buildReport(current, baseline, options.updateBaseline ? { ...budgets, maxGrowth: undefined } : budgets, top);
  if (options.updateBaseline && report.failures.length === 0) {
    const file = writeBaseline(root, current);
    console.error(`${host}: baseline written to ${file}; commit it so reviews see the change.`);
  }
  // A failed check against the previous report keeps that report, so a rerun still fails.
  if (report.failures.length === 0 || baseline?.source !== 'previous') writeJson(join(root, reportPath(host)), report);
  return report;
}

export default async function closureSizeExecutor(given: ClosureSizeExecutorSchema, context: ExecutorContext) {
  const host = given.host ?? context.projectName;
  try {
    const options = checkedOptions('closure-size', given, context);
    const report = await measureClosure(options, context, evalHashOf(context, host ?? ''), evalPeers(context, options.flake ?? '.'));
    console.log(options.json ? JSON.stringify(report, null, 2) : renderReport(report));
    if (report.failures.length > 0) {
      console.error(`\n${report.failures.join('\n\n')}`);
      return { success: false };
    }
    return { success: true };
  } catch (e) {
    const why = e instanceof CommandError ? e.reason : (e as Error).message;
    const fix = e instanceof CommandError ? explainNixFailure(e.stderr) : undefined;
    console.error(`\nClosure size of ${host} failed: ${why}${fix ? `\n${fix}` : ''}`);
    return { success: false };
  }
}
