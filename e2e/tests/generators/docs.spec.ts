// The committed generator and executor reference must match the schema.json files it is made from;
// the repository's docs link only to what exists and cite no design note from outside it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokenLinks } from '../../../packages/nix-fleet-plugin/testing/doc-links';
import { REPO_ROOT } from '../../support/workspace';

describe('docs/reference', () => {
  it('is up to date with every generator and executor schema (node tools/gen-docs.mjs)', () => {
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/gen-docs.mjs'), '--check'], { encoding: 'utf-8' });
    expect(`${result.stdout}${result.stderr}`).toContain('docs/reference is up to date.');
    expect(result.status).toBe(0);
  });
});

describe('the repository docs', () => {
  const tracked = () => execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf-8' }).split('\0').filter(Boolean);

  it('cite no design note outside the repository: the only marker left is in tests that grep for it', () => {
    const marker = ['DESIGN', '.md'].join('');
    const hits = tracked().filter((f) => !/\.spec\.ts$|^packages\/nix-fleet-plugin\/testing\/doc-links\.ts$/.test(f) && existsSync(join(REPO_ROOT, f)) && readFileSync(join(REPO_ROOT, f), 'utf-8').includes(marker));
    expect(hits).toEqual([]);
  });

  it('link only to files and anchors that exist (README.md, docs/, Architecture.md decisions)', () => {
    const files = new Map(tracked().map((f) => [f, f.endsWith('.md') && /^(docs\/|README\.md|packages\/[^/]+\/README\.md)/.test(f) ? readFileSync(join(REPO_ROOT, f), 'utf-8') : '']));
    expect(brokenLinks(files)).toEqual([]);
    expect(readFileSync(join(REPO_ROOT, 'docs/Deploying.md'), 'utf-8')).toContain('](Architecture.md#decision-6)');
  });
});
