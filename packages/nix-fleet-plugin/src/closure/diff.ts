// Package diff between two closures, as nvd shows it: added, removed, version changes, sizes.
import type { PathSize } from './path-info';
import { parseStorePath } from './store-name';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface PackageChange {
  kind: ChangeKind;
  pname: string;
  /** Versions present before / after (several when a closure holds more than one). */
  before: string[];
  after: string[];
  sizeBefore: number;
  sizeAfter: number;
  sizeDelta: number;
}

interface Package {
  versions: Set<string>;
  size: number;
}

function byPackage(paths: PathSize[]): Map<string, Package> {
  const packages = new Map<string, Package>();
  for (const p of paths) {
    const { pname, version } = parseStorePath(p.path);
    const pkg = packages.get(pname) ?? { versions: new Set<string>(), size: 0 };
    pkg.versions.add(version);
    pkg.size += p.narSize;
    packages.set(pname, pkg);
  }
  return packages;
}

const sorted = (s?: Set<string>) => (s ? [...s].sort() : []);

/**
 * Compares two closures package by package. A package whose versions differ is "changed";
 * one with the same versions but another size (a rebuild) is left out, as nvd does.
 */
export function diffClosures(before: PathSize[], after: PathSize[]): PackageChange[] {
  const a = byPackage(before);
  const b = byPackage(after);
  const changes: PackageChange[] = [];
  for (const pname of new Set([...a.keys(), ...b.keys()])) {
    const was = a.get(pname);
    const now = b.get(pname);
    const kind: ChangeKind | undefined = !was ? 'added' : !now ? 'removed' : sorted(was.versions).join() !== sorted(now.versions).join() ? 'changed' : undefined;
    if (!kind) continue;
    const sizeBefore = was?.size ?? 0;
    const sizeAfter = now?.size ?? 0;
    changes.push({ kind, pname, before: sorted(was?.versions), after: sorted(now?.versions), sizeBefore, sizeAfter, sizeDelta: sizeAfter - sizeBefore });
  }
  const order: Record<ChangeKind, number> = { changed: 0, added: 1, removed: 2 };
  return changes.sort((x, y) => order[x.kind] - order[y.kind] || (x.pname < y.pname ? -1 : 1));
}

/** The changes that added the most bytes, biggest first: a growth budget's top contributors. */
export function topGrowth(changes: PackageChange[], n: number): PackageChange[] {
  return changes.filter((c) => c.sizeDelta > 0).sort((x, y) => y.sizeDelta - x.sizeDelta).slice(0, n);
}
