// The nixpkgs column of fleet tables: shown only when the hosts of a run follow different branches,
// because then a size or a package change also reflects the branch, not only the host's own change.
import { readHostJson } from '../host/host-json';
import { hostFileOf } from '../host/resolve-host';

/** host.json "nixpkgs" of a host (unstable when absent); undefined when host.json does not load. */
export function hostBranch(workspaceRoot: string, host: string): string | undefined {
  try {
    return readHostJson(workspaceRoot, hostFileOf(host)).nixpkgs ?? 'unstable';
  } catch {
    return undefined;
  }
}

export interface TableParts {
  headers: string[];
  body: string[][];
  rightAligned: number[];
}

/**
 * Inserts a "nixpkgs" column after the first (host) column when `branches` (one per body row;
 * null for a row such as a total) hold more than one branch; otherwise returns the table as it was.
 */
export function withBranchColumn(table: TableParts, branches: Array<string | undefined | null>): TableParts {
  const hostBranches = branches.filter((b) => b !== null).map((b) => b ?? '?');
  if (new Set(hostBranches).size <= 1) return table;
  const insert = (cells: string[], value: string) => [cells[0], value, ...cells.slice(1)];
  return {
    headers: insert(table.headers, 'nixpkgs'),
    body: table.body.map((cells, i) => insert(cells, branches[i] === null ? '' : (branches[i] ?? '?'))),
    rightAligned: table.rightAligned.map((i) => (i >= 1 ? i + 1 : i)),
  };
}
