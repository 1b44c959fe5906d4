// The committed generator and executor reference must match the schema.json files it is made from.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/workspace';

describe('docs/reference', () => {
  it('is up to date with every generator and executor schema (node tools/gen-docs.mjs)', () => {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/gen-docs.mjs'), '--check'], { encoding: 'utf-8' });
    expect(`${result.stdout}${result.stderr}`).toContain('docs/reference is up to date.');
    expect(result.status).toBe(0);
  });
});
