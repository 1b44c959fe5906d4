// The closure-size report: what closure.json holds and what a person sees.
import type { Baseline } from './baseline';
import { checkBudgets, describeLimit, versionText, type Budgets } from './budget';
import { diffClosures, type PackageChange } from './diff';
import { biggestPaths, type ClosureRecord, type PathSize } from './path-info';
import { formatBytes, formatDelta, formatPercent } from './size';
import { renderTable } from '../summary/table';
import { CHANGE_CODE, CHANGE_KEY } from './change-codes';
import { directionOf } from './version';

export interface ClosureReport extends ClosureRecord {
  biggest: PathSize[];
  baseline: { source: Baseline['source']; file: string; outPath: string; closureSize: number } | null;
  /** Bytes gained since the baseline; null without one. */
  growth: number | null;
  changes: PackageChange[];
  budgets: { maxSize?: string; maxGrowth?: string };
  failures: string[];
  /** Where the closure was read: the target of a host built there (deployment.buildOn remote). */
  measuredOn?: string;
}

export function buildReport(current: ClosureRecord, baseline: Baseline | undefined, budgets: Budgets, top: number): ClosureReport {
  const changes = baseline ? diffClosures(baseline.record.paths, current.paths) : [];
  const base = baseline ? { closureSize: baseline.record.closureSize, label: baseline.file } : undefined;
  return {
    ...current,
    biggest: biggestPaths(current, top),
    baseline: baseline ? { source: baseline.source, file: baseline.file, outPath: baseline.record.outPath, closureSize: baseline.record.closureSize } : null,
    growth: baseline ? current.closureSize - baseline.record.closureSize : null,
    changes,
    budgets: {
      ...(budgets.maxSize ? { maxSize: describeLimit(budgets.maxSize) } : {}),
      ...(budgets.maxGrowth ? { maxGrowth: describeLimit(budgets.maxGrowth) } : {}),
    },
    failures: checkBudgets(budgets, { current, baseline: base, changes }),
  };
}

/** The human report: summary, biggest paths, package diff. */
export function renderReport(r: ClosureReport): string {
  const out: string[] = [];
  const budgetText = Object.entries(r.budgets).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const summary: string[][] = [
    ['closure size', `${formatBytes(r.closureSize)} (${r.closureSize} bytes)`],
    ['paths', String(r.pathCount)],
    [
      'change',
      r.baseline && r.growth !== null ? `${formatDelta(r.growth)} (${formatPercent(r.growth, r.baseline.closureSize)}) vs ${r.baseline.file}` : 'no baseline yet',
    ],
    ['budgets', budgetText],
    ...(r.measuredOn ? [['measured on', `${r.measuredOn}, where it was built (deployment.buildOn: remote)`]] : []),
  ];
  out.push(`Closure of ${r.host}: ${r.outPath}`, ...summary.map(([k, v]) => `  ${k.padEnd(13)}${v}`), '');
  out.push(`Biggest paths`, renderTable(['size', 'path'], r.biggest.map((p) => [formatBytes(p.narSize), p.path]), [0]), '');
  if (r.baseline) {
    if (r.changes.length === 0) out.push('Packages: no version changes, none added or removed.');
    else {
      const rows = r.changes.map((c) => [CHANGE_CODE[directionOf(c)], c.pname, versionText(c), formatDelta(c.sizeDelta)]);
      out.push(`Package changes vs ${r.baseline.file}`, renderTable(['', 'package', 'version', 'size'], rows, [3]), `  ${CHANGE_KEY}`);
    }
  }
  return out.join('\n');
}
