import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostResultPath, readHostResult, writeHostResult } from './host-results';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'host-results-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('replaces a result whole: a second name for the old file keeps the old content (no truncate-in-place)', () => {
  writeHostResult(root, 'dist/deploy', { host: 'web1', status: 'deployed', n: 1 });
  const file = hostResultPath(root, 'dist/deploy', 'web1');
  const old = join(root, 'old.json');
  linkSync(file, old);
  writeHostResult(root, 'dist/deploy', { host: 'web1', status: 'failed', n: 2 });
  expect(JSON.parse(readFileSync(old, 'utf-8'))).toMatchObject({ status: 'deployed', n: 1 });
  expect(readHostResult(root, 'dist/deploy', 'web1')).toMatchObject({ status: 'failed', n: 2 });
  expect(readdirSync(join(root, 'dist/deploy/hosts')).sort()).toEqual(['web1.json']);
});

it('refuses a host name that would leave the hosts folder', () => {
  expect(() => writeHostResult(root, 'dist/deploy', { host: '../x' })).toThrow();
  expect(readdirSync(root)).toEqual([]);
});
