// After a run that builds hosts: how many were affected and how many systems really changed.
//
// A build's cache key is the host's drvPath (graph/targets.ts), so a build Nx served from its
// cache is a system that did not change. A build that ran says whether it gave a new system
// (build-changes.ts): it also runs on --skip-nx-cache or a new Nix with the same system.
import type { PostTasksExecutionContext } from '@nx/devkit';
import { normalizeOptions, type NixFleetPluginOptions } from '../graph/options';
import { buildChanged } from '../nix/build-changes';
import { plural } from './task-rows';

const fromCache = (status: string) => status.includes('cache');

export interface BuildCounts {
  hosts: number;
  evaluated: number;
  changed: number;
  unchanged: number;
  failed: number;
}

export function buildCounts(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): BuildCounts {
  const { evalTargetName, buildTargetName } = normalizeOptions(options);
  const hosts = new Map<string, { evalStatus?: string; build?: { status: string; hash?: string } }>();
  for (const r of Object.values(context.taskResults)) {
    const { project, target } = r.task.target;
    if (target !== evalTargetName && target !== buildTargetName) continue;
    const h = hosts.get(project) ?? {};
    if (target === evalTargetName) h.evalStatus = r.status;
    else h.build = { status: r.status, hash: r.task.hash };
    hosts.set(project, h);
  }
  const counts: BuildCounts = { hosts: hosts.size, evaluated: 0, changed: 0, unchanged: 0, failed: 0 };
  for (const [host, { evalStatus, build }] of hosts) {
    if (evalStatus === 'success') counts.evaluated++;
    // A build that never ran (its eval failed, or the run stopped) is no system at all.
    if (!build || (build.status !== 'success' && !fromCache(build.status))) counts.failed++;
    else if (fromCache(build.status) || buildChanged(context.workspaceRoot, host, build.hash) === false) counts.unchanged++;
    else counts.changed++;
  }
  return counts;
}

export function buildSummaryLine(c: BuildCounts): string {
  const failed = c.failed ? `, ${c.failed} failed or not built` : '';
  // "unchanged" is a deploy's word for a host that already runs its system: a build says "as before".
  return `nix-fleet: ${plural(c.hosts, 'host')} affected, ${plural(c.changed, 'system')} changed, ${c.unchanged} as before${failed}; ${c.evaluated} evaluated`;
}

/** Only for runs that build: an eval-only run has no systems to count. */
export function buildSummary(options: NixFleetPluginOptions | undefined, context: PostTasksExecutionContext): void {
  const { buildTargetName } = normalizeOptions(options);
  const builds = Object.values(context.taskResults).filter((r) => r.task.target.target === buildTargetName).length;
  const counts = buildCounts(options, context);
  // `nx run host:build` already said what it did; the count is for many hosts.
  const many = context.argv.some((a) => a === 'run-many' || a === 'affected');
  if (builds > 0 && (counts.hosts > 1 || many)) console.log(`\n${buildSummaryLine(counts)}\n`);
}
