// Reads `nix path-info --recursive --closure-size --json` into a closure record.

export interface PathSize {
  path: string;
  narSize: number;
}

/** What closure.json and closure-baseline.json hold about one system closure. */
export interface ClosureRecord {
  host: string;
  outPath: string;
  /** Exactly the closureSize Nix reports for the toplevel. */
  closureSize: number;
  pathCount: number;
  /** Every path of the closure, sorted by name, so a later run can diff packages. */
  paths: PathSize[];
}

interface RawPathInfo {
  path?: string;
  narSize?: number;
  closureSize?: number;
  valid?: boolean;
}

/**
 * Nix 2.8 prints an array of { path, narSize, closureSize, ... }; newer Nix prints an object
 * keyed by path. Both are accepted so a Nix upgrade does not break the report.
 */
export function parsePathInfoJson(stdout: string, outPath: string, host: string): ClosureRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`nix path-info printed no JSON (${(e as Error).message}): ${stdout.slice(0, 200)}`);
  }
  const entries: RawPathInfo[] = Array.isArray(parsed)
    ? (parsed as RawPathInfo[])
    : Object.entries((parsed ?? {}) as Record<string, RawPathInfo>).map(([path, info]) => ({ ...info, path }));
  const paths: PathSize[] = [];
  let closureSize: number | undefined;
  for (const e of entries) {
    if (!e.path || e.valid === false) continue;
    if (typeof e.narSize !== 'number') throw new Error(`nix path-info gave no narSize for ${e.path}.`);
    paths.push({ path: e.path, narSize: e.narSize });
    if (e.path === outPath) closureSize = e.closureSize;
  }
  if (closureSize === undefined) {
    throw new Error(`nix path-info did not report a closureSize for ${outPath}; is it a valid store path?`);
  }
  // By name, not hash: a rebuilt package keeps its line, so a committed baseline diffs cleanly.
  const key = (p: PathSize) => `${p.path.replace(/^.*\/[0-9a-z]{32}-/, '')} ${p.path}`;
  paths.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return { host, outPath, closureSize, pathCount: paths.length, paths };
}

/** The n biggest paths by their own (NAR) size, biggest first. */
export function biggestPaths(record: Pick<ClosureRecord, 'paths'>, n: number): PathSize[] {
  return [...record.paths].sort((a, b) => b.narSize - a.narSize || (a.path < b.path ? -1 : 1)).slice(0, n);
}
