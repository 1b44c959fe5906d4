// Option names as people type them: camelCase or kebab-case (and any case), and the closest
// known name when one is not known. Shared by executor options and nx.json plugin options.

/** targetHost -> target-host; memoryPerHostMiB -> memory-per-host-mi-b (what Nx prints). */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** One spelling-free key: target-host, targetHost, targethost and TARGET_HOST are one option. */
function squash(name: string): string {
  // Stryker disable next-line MethodExpression: squashed keys are only compared with squashed keys, so upper case folds them alike
  return name.replace(/[-_]/g, '').toLowerCase();
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** The known name a key spells, or undefined. */
export function knownName(key: string, known: readonly string[]): string | undefined {
  return known.find((name) => squash(name) === squash(key));
}

/** The known name closest to an unknown key, when it is close enough to be a typo. */
export function closestName(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(squash(key), squash(name));
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(squash(key).length / 3)) ? best.name : undefined;
}

/** Shown as the person typed it: --target-hots gets --target-host, --targetHots gets --targetHost. */
export function spelledLike(typed: string, name: string): string {
  return /[A-Z]/.test(typed) ? name : kebabCase(name);
}

/** `Unknown option --target-hots for deploy. Did you mean --target-host?` */
export function unknownOptionMessage(key: string, known: readonly string[], owner: string, prefix = '--'): string {
  const near = closestName(key, known);
  const hint = near
    ? `Did you mean ${prefix}${spelledLike(key, near)}?`
    : `Known options: ${known.map((n) => `${prefix}${spelledLike(key, n)}`).join(', ')}.`;
  return `Unknown option ${prefix}${key} for ${owner}. ${hint}`;
}
