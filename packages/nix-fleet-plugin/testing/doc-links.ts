// Markdown links that do not resolve inside a set of files (a new fleet's docs), and the markers
// of passages that speak of this repository rather than of a fleet. Test-only.
import { posix } from 'node:path';

/** Text that only this repository's docs may contain: a fleet has no tools/, e2e/ or plugin source. */
export const REPO_ONLY_MARKERS = [
  'tools/',
  'packages/nix-fleet-plugin',
  'npm run demo',
  'npm run lab',
  'e2e/',
  // Spelled in two parts so that the repository itself holds no citation of that file.
  ['DESIGN', '.md'].join(''),
  'repo-only',
  'The issue text',
  '/work/shared',
  'Architecture.md',
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to "-". */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const withoutFences = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '');
/** Without fenced code blocks and inline code, where "](" is not a link. */
const prose = (markdown: string) => withoutFences(markdown).replace(/`[^`\n]*`/g, '');

export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    const slug = headingSlug(m[1].replace(/`/g, ''));
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const m of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(m[1]);
  return anchors;
}

/** Every relative link ([text](target)) of every .md file that names no file of `files` or no anchor in it. */
export function brokenLinks(files: Map<string, string>): string[] {
  const broken: string[] = [];
  const dirs = new Set([...files.keys()].flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  for (const [file, text] of files) {
    if (!file.endsWith('.md')) continue;
    for (const m of prose(text).matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
      const [path, anchor] = link.split('#');
      const target = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path)).replace(/\/$/, '');
      const exists = files.has(target) || dirs.has(target);
      const anchorOk = !anchor || !target.endsWith('.md') || (exists && anchorsOf(files.get(target)!).has(anchor));
      if (!exists || !anchorOk) broken.push(`${file}: ${link}`);
    }
  }
  return broken.sort();
}
