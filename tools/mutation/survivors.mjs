// Mutants the unit specs let through, from the last mutation run's report (npm run test:mutation
// writes reports/mutation/mutation.json): a table, one row per mutant, for a person writing specs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = `usage: npm run test:mutation:survivors -- [path-substring] [--json] [--report FILE]
  path-substring  only files whose path contains it (e.g. deploy/lock.ts)
  --report FILE   a Stryker JSON report (default: reports/mutation/mutation.json of the repository)
  --json          rows as JSON`;
const fail = (why) => {
  console.error(`survivors: ${why}\n${USAGE}`);
  process.exit(2);
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let reportFile = join(root, 'reports/mutation/mutation.json');
let json = false;
let filter = '';
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--help' || a === '-h') {
    console.log(USAGE);
    process.exit(0);
  } else if (a === '--json') json = true;
  else if (a === '--report' || a.startsWith('--report=')) {
    const value = a === '--report' ? args[++i] : a.slice('--report='.length);
    if (!value) fail('--report needs a file');
    reportFile = resolve(value);
  } else if (a.startsWith('-')) fail(`unknown option ${a}`);
  else if (filter) fail(`one path-substring only (got ${filter} and ${a})`);
  else filter = a.replace(/^\.\//, '').replace(/:\d+(:\d+)?$/, '');
}
if (!existsSync(reportFile)) fail(`no report at ${reportFile}: run npm run test:mutation first`);

const LEFT = new Set(['Survived', 'NoCoverage']);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const files = Object.keys(report.files).filter((file) => file.includes(filter) || resolve(root, file).includes(filter));
if (filter && files.length === 0) fail(`no mutated file in ${reportFile} has "${filter}" in its path`);
const rows = [];
for (const file of files) {
  const result = report.files[file];
  const lines = result.source.split('\n');
  for (const m of result.mutants) {
    if (!LEFT.has(m.status)) continue;
    const { line, column } = m.location.start;
    rows.push({
      where: `${file.replace(/^packages\/nix-fleet-plugin\/src\//, '')}:${line}:${column}`,
      status: m.status,
      mutator: m.mutatorName,
      replacement: (m.replacement ?? '').replace(/\s+/g, ' '),
      code: lines[line - 1].trim(),
    });
  }
}
if (json) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  const cut = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const table = rows.map((r) => [r.where, r.status, r.mutator, cut(r.replacement, 40), cut(r.code, 70)]);
  const head = ['where', 'status', 'mutator', 'replaced by', 'code'];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(head));
  for (const r of table) console.log(line(r));
  console.log(`\n${rows.length} mutants survived or had no covering spec${filter ? ` in files matching "${filter}"` : ''}.`);
}
