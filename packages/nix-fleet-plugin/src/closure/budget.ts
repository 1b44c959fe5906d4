// Closure budgets: maxSize (bytes) and maxGrowth (bytes or percent of the baseline).
import type { HostBudgets } from '../host/host-json';
import { biggestPaths, type ClosureRecord } from './path-info';
import { topGrowth, type PackageChange } from './diff';
import { formatBytes, formatDelta, formatPercent, parseSizeLimit, type SizeLimit } from './size';

export interface Budgets {
  maxSize?: SizeLimit;
  maxGrowth?: SizeLimit;
}

/** Options win over host.json; `source` names where each came from for error messages. */
export function resolveBudgets(fromHost: HostBudgets | undefined, fromOptions: HostBudgets, hostFile: string): Budgets {
  const pick = (key: keyof HostBudgets, allowPercent: boolean): SizeLimit | undefined => {
    if (fromOptions[key] !== undefined) return parseSizeLimit(fromOptions[key], `--${key}`, allowPercent);
    if (fromHost?.[key] !== undefined) return parseSizeLimit(fromHost[key], `budgets.${key} in ${hostFile}`, allowPercent);
    return undefined;
  };
  return { maxSize: pick('maxSize', false), maxGrowth: pick('maxGrowth', true) };
}

export function describeLimit(limit: SizeLimit): string {
  return limit.kind === 'percent' ? `${limit.percent}%` : formatBytes(limit.bytes);
}

export interface BudgetCheck {
  current: ClosureRecord;
  baseline?: { closureSize: number; label: string };
  changes: PackageChange[];
}

/** One message per exceeded budget, naming the budget, the figure and the top contributors. */
export function checkBudgets(budgets: Budgets, { current, baseline, changes }: BudgetCheck, top = 5): string[] {
  const failures: string[] = [];
  const { maxSize, maxGrowth } = budgets;
  if (maxSize?.kind === 'bytes' && current.closureSize > maxSize.bytes) {
    const biggest = biggestPaths(current, top).map((p) => `${p.path} (${formatBytes(p.narSize)})`);
    failures.push(
      `Budget maxSize exceeded for ${current.host}: closure is ${formatBytes(current.closureSize)} (${current.closureSize} bytes), ` +
        `budget ${describeLimit(maxSize)}.\n  Biggest paths:\n${biggest.map((b) => `    ${b}`).join('\n')}`,
    );
  }
  if (maxGrowth && baseline) {
    const growth = current.closureSize - baseline.closureSize;
    const allowed = maxGrowth.kind === 'bytes' ? maxGrowth.bytes : (baseline.closureSize * maxGrowth.percent) / 100;
    if (growth > allowed) {
      const contributors = topGrowth(changes, top).map((c) => `    ${c.pname} ${versionText(c)} (${formatDelta(c.sizeDelta)})`);
      failures.push(
        `Budget maxGrowth exceeded for ${current.host}: closure grew ${formatDelta(growth)} (${formatPercent(growth, baseline.closureSize)}) ` +
          `against ${baseline.label}, budget ${describeLimit(maxGrowth)}.\n  Top contributors:\n` +
          (contributors.length ? contributors.join('\n') : '    (no package added or changed version; rebuilt paths grew)') +
          `\n  If the growth is intended, accept it with --update-baseline and commit the baseline file.`,
      );
    }
  }
  return failures;
}

export function versionText(c: PackageChange): string {
  const v = (list: string[]) => (list.length ? list.map((x) => x || '(no version)').join(', ') : '∅');
  if (c.kind === 'added') return `+ ${v(c.after)}`;
  if (c.kind === 'removed') return `- ${v(c.before)}`;
  return `${v(c.before)} -> ${v(c.after)}`;
}
