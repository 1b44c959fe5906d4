// The paths a Markdown doc names, for tests that prove a fleet's docs name only what it has.
// Test-only: not part of the published package.
import { posix } from 'node:path';

const TOP_LEVEL = ['.ci', 'apps', 'docs', 'e2e', 'hosts', 'libs', 'node_modules', 'packages', 'src', 'tools'];

/**
 * Paths the doc at `file` names that a workspace must have: backticked paths below a top-level
 * folder, and relative links (resolved from the doc's folder).
 */
export function pathsNamedIn(markdown: string, file: string, topLevel = TOP_LEVEL): string[] {
  const backticked = [...markdown.matchAll(/`([^`\n]+)`/g)]
    .flatMap((m) => m[1].split(/\s+/))
    .filter((c) => !/[<>*{}$~=|]/.test(c))
    // The path at the start of a token: `(import ./packages/profiles/lib).mkFleet` names packages/profiles/lib.
    .map((c) => (c.replace(/^[("']+/, '').match(/^[\w.@/-]+/)?.[0] ?? '').replace(/^\.\//, '').replace(/[.,;:]+$/, ''))
    .filter((c) => topLevel.includes(c.split('/')[0]) && c.includes('/'));
  const linked = [...markdown.matchAll(/\]\(([^)\s#:]+\.md)[)#]/g)].map((m) => posix.normalize(posix.join(posix.dirname(file), m[1])));
  return [...new Set([...backticked, ...linked])].sort();
}
