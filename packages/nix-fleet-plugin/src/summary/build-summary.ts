// After a run that builds hosts: how many were affected and how many systems really changed.
//
// A build's cache key is the host's drvPath (graph/targets.ts), so a build that Nx served from
// its cache is a system that did not change, and a build that ran is one that did (or one
// this cache never saw).
import type { PostTasksExecutionContext } from '@nx/devkit';
import { normalizeOptions, type NixFleetPluginOptions } from '../graph/options';
import { plural, taskRows } from './task-rows';

const fromCache = (status: string) => status.includes('cache');

export function buildCounts(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext) {
  const { evalTargetName, buildTargetName } = normalizeOptions(options);
  const builds = taskRows(context, buildTargetName, () => undefined);
  const evals = taskRows(context, evalTargetName, () => undefined);
  return {
    hosts: builds.length,
    evaluated: evals.filter((r) => r.status === 'success').length,
    changed: builds.filter((r) => r.status === 'success').length,
    unchanged: builds.filter((r) => fromCache(r.status)).length,
    failed: builds.filter((r) => !fromCache(r.status) && r.status !== 'success').length,
  };
}

export function buildSummaryLine(c: ReturnType<typeof buildCounts>): string {
  const failed = c.failed ? `, ${c.failed} failed or not run` : '';
  return `nix-fleet: ${plural(c.hosts, 'host')} affected, ${plural(c.changed, 'system')} changed, ${c.unchanged} unchanged (Nx cache hits)${failed}; ${c.evaluated} evaluated`;
}

export function buildSummary(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): void {
  const counts = buildCounts(options, context);
  // `nx run host:build` already said what it did; the count is for many hosts.
  const many = context.argv.some((a) => a === 'run-many' || a === 'affected');
  if (counts.hosts > 1 || (counts.hosts === 1 && many)) console.log(`\n${buildSummaryLine(counts)}\n`);
}
