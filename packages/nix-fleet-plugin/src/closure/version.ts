// Version order as Nix's builtins.compareVersions has it, so a plan can say upgrade or downgrade.
import type { PackageChange } from './diff';

/** Components split at "." and "-": runs of digits, or runs of other characters. */
function components(v: string): string[] {
  return v.match(/[0-9]+|[^0-9.-]+/g) ?? [];
}

/** Nix's componentsLT: numbers by value, "pre" below all, a letter part below a number ("2.3a" < "2.3.1"). */
function lessThan(c1: string, c2: string): boolean {
  const n1 = /^[0-9]+$/.test(c1);
  const n2 = /^[0-9]+$/.test(c2);
  if (n1 && n2) return BigInt(c1) < BigInt(c2);
  if (c1 === '' && n2) return true;
  if (c1 === 'pre' && c2 !== 'pre') return true;
  if (c2 === 'pre') return false;
  if (n2) return true;
  if (n1) return false;
  return c1 < c2;
}

/** -1, 0 or 1, like builtins.compareVersions. */
export function compareVersions(a: string, b: string): number {
  const x = components(a);
  const y = components(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [c1, c2] = [x[i] ?? '', y[i] ?? ''];
    if (lessThan(c1, c2)) return -1;
    if (lessThan(c2, c1)) return 1;
  }
  return 0;
}

export type ChangeDirection = 'upgraded' | 'downgraded' | 'changed' | 'added' | 'removed';

/** A package with one version on each side moved up or down; several versions only "changed". */
export function directionOf(c: PackageChange): ChangeDirection {
  if (c.kind !== 'changed') return c.kind;
  if (c.before.length !== 1 || c.after.length !== 1) return 'changed';
  const order = compareVersions(c.before[0], c.after[0]);
  return order < 0 ? 'upgraded' : order > 0 ? 'downgraded' : 'changed';
}

export type ChangeCounts = Record<ChangeDirection, number>;

export function countChanges(changes: PackageChange[]): ChangeCounts {
  const counts: ChangeCounts = { upgraded: 0, downgraded: 0, changed: 0, added: 0, removed: 0 };
  for (const c of changes) counts[directionOf(c)]++;
  return counts;
}

/** "↑2 ↓0 ~0 +1 -0" for fleet tables. */
export function formatCounts(c: ChangeCounts): string {
  return `↑${c.upgraded} ↓${c.downgraded} ~${c.changed} +${c.added} -${c.removed}`;
}
