// The docs a new fleet gets: this repository's user guides, minus what speaks of the repository.
// One source: docs/*.md mark repository-only passages (tests, benchmarks, the plugin's source)
// with <!-- repo-only --> ... <!-- /repo-only -->, and a fleet runs Nx through npx.

import { posix } from 'node:path';

const REPO_ONLY = /^<!-- repo-only -->\n[\s\S]*?^<!-- \/repo-only -->\n?/gm;
/** `nx <command>` as a reader types it; in a fleet nx is a devDependency, so `npx nx <command>`. */
const NX_COMMAND = /(?<![\w@./-])(?<!npx )nx (?=(?:g|generate|run|run-many|affected|show|graph|add|reset|build|deploy|closure-size)\b)/g;

export function fleetMarkdown(text: string): string {
  return text.replace(REPO_ONLY, '').replace(NX_COMMAND, 'npx nx ');
}

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
