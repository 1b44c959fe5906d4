// The layout of src/ as docs/Architecture.md tells it. The folders import each other without a
// cycle: a newcomer can read them bottom up (process, ssh, git, nix, ... up to executors and
// generators). Every static import counts, `import type` too; a file directly in src/ is a node
// of its own. And processes are started only in the places listed below.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';

const SRC = join(__dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  );
}

/** src/graph/waves.ts -> graph; src/constants.ts -> constants.ts. */
const nodeOf = (file: string) => relative(SRC, file).split('/')[0];

const IMPORT = /^\s*(?:import|export)\s[^;]*?\sfrom\s+['"](\.[^'"]+)['"]/gm;

/** folder -> folder it imports -> one file import that makes the edge. */
export function folderEdges(files: Map<string, string>): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const [file, text] of files) {
    for (const m of text.matchAll(IMPORT)) {
      const from = nodeOf(file);
      const to = nodeOf(posix.join(dirname(file), m[1]));
      if (to.startsWith('..') || to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${relative(SRC, file)} imports ${m[1]}`);
    }
  }
  return edges;
}

/** One cycle per strongly connected component of more than one folder (Tarjan), as a path back to its start. */
export function folderCycles(edges: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        c.push(w);
        if (w === v) break;
      }
      if (c.length > 1) components.push(c);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  // A path through each component: from its first folder, along edges inside it, back to the start.
  return components.map((c) => {
    const inside = new Set(c);
    const start = [...c].sort()[0];
    const path = [start];
    const seen = new Set([start]);
    for (let v = start; ; ) {
      const next = [...(edges.get(v)?.keys() ?? [])].filter((w) => inside.has(w));
      const back = next.find((w) => w === start && path.length > 1);
      if (back) return [...path, start];
      const w = next.find((n) => !seen.has(n)) ?? start;
      path.push(w);
      if (w === start) return path;
      seen.add(w);
      v = w;
    }
  });
}

describe('folders of src/', () => {
  it('import each other without a cycle', () => {
    const files = new Map(sources(SRC).map((f) => [f, readFileSync(f, 'utf-8')]));
    const edges = folderEdges(files);
    const explained = folderCycles(edges).map((cycle) => cycle.slice(1).map((to, i) => `${cycle[i]} -> ${to} (${edges.get(cycle[i])!.get(to)})`).join('\n  '));
    expect(explained).toEqual([]);
  });

  it('the check finds a cycle through three folders, and names the imports that make it', () => {
    const files = new Map([
      [join(SRC, 'a/x.ts'), "import { y } from '../b/y';\n"],
      [join(SRC, 'b/y.ts'), "export { z } from '../c/z';\nimport type { T } from './t';\n"],
      [join(SRC, 'c/z.ts'), "import {\n  x,\n} from '../a/x';\n"],
      [join(SRC, 'd/w.ts'), "import { x } from '../a/x';\n"],
    ]);
    const edges = folderEdges(files);
    expect(folderCycles(edges)).toEqual([['a', 'b', 'c', 'a']]);
    expect(edges.get('c')!.get('a')).toBe("c/z.ts imports ../a/x");
  });
});

/** Every file that may start a process, and what it starts; src/nix starts nix through process/run.ts only. */
const SPAWNERS: Record<string, string> = {
  'process/run.ts': 'the runner: nix, ssh, git and remote commands that run to an end',
  'process/processes.ts': 'ps, where /proc is missing',
  'ssh/master.ts': 'the ssh master connection, alive for a whole deploy',
  'ssh/effective-config.ts': 'ssh -G, which connects nowhere',
  'ssh/known-hosts.ts': 'ssh-keygen -F',
  'git/source-key.ts': 'git, synchronously',
  'git/tracked-files.ts': 'git, synchronously',
  'executors/vm/executor.ts': 'the VM\'s run script, in the foreground',
};

describe('processes', () => {
  it('are started only where SPAWNERS says', () => {
    const spawning = sources(SRC)
      .filter((f) => /from ['"](node:)?child_process['"]/.test(readFileSync(f, 'utf-8')))
      .map((f) => relative(SRC, f))
      .sort();
    expect(spawning).toEqual(Object.keys(SPAWNERS).sort());
    expect(spawning.filter((f) => f.startsWith('nix/'))).toEqual([]);
  });
});
