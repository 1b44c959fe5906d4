// What a build said about its system, read back under its task hash only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChanged, recordBuildChange } from './build-changes';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'build-changes-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));
const put = (text: string) => {
  mkdirSync(join(root, '.nx/nix-fleet/builds'), { recursive: true });
  writeFileSync(join(root, '.nx/nix-fleet/builds/web1.json'), text);
};

describe('build changes', () => {
  it('are read back under the build\'s hash, and not under another', () => {
    recordBuildChange(root, 'web1', 'h1', true);
    recordBuildChange(root, 'web2', 'h2', false);
    expect(buildChanged(root, 'web1', 'h1')).toBe(true);
    expect(buildChanged(root, 'web2', 'h2')).toBe(false);
    expect(buildChanged(root, 'web1', 'h2')).toBeUndefined();
    expect(buildChanged(root, 'web1', undefined)).toBeUndefined();
    expect(buildChanged(root, 'web3', 'h1')).toBeUndefined();
  });

  it('are not recorded for a build without a hash, which leaves the last record', () => {
    recordBuildChange(root, 'web1', 'h1', true);
    recordBuildChange(root, 'web1', undefined, false);
    expect(buildChanged(root, 'web1', 'h1')).toBe(true);
  });

  it.each([
    ['torn', '{"hash": "h1", "chan'],
    ['without a hash', '{"changed": true}'],
    ['with a change that is no boolean', '{"hash": "h1", "changed": "yes"}'],
    ['null', 'null'],
  ])('are none in a file %s', (_what, text) => {
    put(text);
    expect(buildChanged(root, 'web1', 'h1')).toBeUndefined();
    expect(buildChanged(root, 'web1', undefined)).toBeUndefined();
  });
});
