// Byte sizes for people and for budgets: "12GiB" and "5%" in, "1.2 GiB" out.

const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
  TIB: 2 ** 40,
};

export type SizeLimit = { kind: 'bytes'; bytes: number } | { kind: 'percent'; percent: number };

/**
 * Parses a budget value: a number of bytes, "12GiB", "500 MB", or (when percent is allowed) "5%".
 * `what` names the setting in the error, e.g. "budgets.maxGrowth".
 */
export function parseSizeLimit(value: number | string, what: string, allowPercent: boolean): SizeLimit {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return { kind: 'bytes', bytes: Math.round(value) };
  } else {
    const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(%|[KMGT]i?B|B)?\s*$/i.exec(value);
    if (m) {
      const n = Number(m[1]);
      const unit = (m[2] ?? 'B').toUpperCase();
      if (unit === '%') {
        if (allowPercent) return { kind: 'percent', percent: n };
      } else {
        return { kind: 'bytes', bytes: Math.round(n * UNITS[unit]) };
      }
    }
  }
  const forms = allowPercent ? 'bytes (1073741824), a size ("12GiB", "500MB") or a percentage ("5%")' : 'bytes (1073741824) or a size ("12GiB", "500MB")';
  throw new Error(`${what} is ${JSON.stringify(value)}: expected ${forms}.`);
}

/** "4.9 MiB": binary units, like nix path-info -h and nvd. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = abs;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
  return bytes < 0 ? `-${text}` : text;
}

/** "+5.0 MiB", "-12 B", "±0 B". */
export function formatDelta(bytes: number): string {
  if (bytes === 0) return '±0 B';
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/** "+12.5%"; undefined when there is nothing to compare with. */
export function formatPercent(delta: number, base: number): string {
  if (base === 0) return delta === 0 ? '0%' : 'new';
  const p = (delta / base) * 100;
  return `${p > 0 ? '+' : ''}${p.toFixed(1)}%`;
}
