// Mutants the unit specs let through, from the last mutation run's report (npm run test:mutation
// writes reports/mutation/mutation.json): a table, one row per mutant, for a person writing specs.
// node tools/mutation/survivors.mjs [path-substring] [--json] [--report FILE]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const at = args.indexOf('--report');
const reportFile = at >= 0 ? args[at + 1] : 'reports/mutation/mutation.json';
const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--report') ?? '';

const LEFT = new Set(['Survived', 'NoCoverage']);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const rows = [];
for (const [file, result] of Object.entries(report.files)) {
  if (!file.includes(filter)) continue;
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
