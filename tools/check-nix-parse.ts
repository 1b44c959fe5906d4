// Syntax-checks every .nix file of the repo (tracked, or untracked but not ignored) with the one
// parse checker of the tests (real `nix-instantiate --parse`, one call for all files), which
// also catches duplicate attributes and undefined variables. Exits non-zero naming each failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseNixFilesIn } from '../packages/nix-fleet-plugin/testing/nix-parse';

const root = execFileSync('git', ['-C', __dirname, 'rev-parse', '--show-toplevel'], { encoding: 'utf-8' }).trim();
const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard', '--', '*.nix'], { cwd: root, encoding: 'utf-8' })
  .split('\0')
  .filter((f) => f && existsSync(join(root, f)));
const failures = parseNixFilesIn(root, files);
for (const f of failures) console.error(`FAIL ${f.file}\n${f.error}`);
console.log(`check-nix-parse: ${files.length} .nix files checked, ${failures.length} failed.`);
if (failures.length > 0) {
  console.error(`check-nix-parse: does not parse: ${failures.map((f) => f.file).join(' ')}`);
  process.exit(1);
}
