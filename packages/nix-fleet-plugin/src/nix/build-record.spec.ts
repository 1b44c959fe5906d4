// build.json as its consumers read it: a record of another host, a torn file or a claim that
// differs from the evaluation is refused with the fix, before anything is measured or sent.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildRecordPath, checkRecord, outLinkPath, previousOutPath, readBuildRecord, writeBuildRecord, type BuildRecord } from './build-record';

const drv = (name: string) => `/nix/store/${'a'.repeat(32)}-${name}.drv`;
const out = (name: string) => `/nix/store/${'b'.repeat(32)}-${name}`;
const web1: BuildRecord = { host: 'web1', system: 'x86_64-linux', drvPath: drv('web1'), outPath: out('web1'), nixVersion: '2.8.0' };

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'build-record-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const put = (host: string, text: string) => {
  mkdirSync(dirname(buildRecordPath(root, host)), { recursive: true });
  writeFileSync(buildRecordPath(root, host), text);
};

describe('build records', () => {
  it('are written where the build target\'s outputs are, read back whole, with the GC root beside them', () => {
    const file = writeBuildRecord(root, web1);
    expect(file).toBe(join(root, 'dist/hosts/web1/build.json'));
    expect(readFileSync(file, 'utf-8').endsWith('}\n')).toBe(true);
    expect(readBuildRecord(root, 'web1')).toEqual(web1);
    expect(outLinkPath(root, 'web1')).toBe(join(root, 'dist/hosts/web1/system'));
    expect(previousOutPath(root, 'web1')).toBe(out('web1'));
  });

  it('a missing record says which build to run', () => {
    expect(() => readBuildRecord(root, 'web1')).toThrow(`No build record for host "web1" at ${buildRecordPath(root, 'web1')}. Run "nx run web1:build" first.`);
    expect(previousOutPath(root, 'web1')).toBeUndefined();
  });

  it('a torn record is refused with the rebuild that mends it', () => {
    put('web1', '{"host": "web1", "drvPa');
    expect(() => readBuildRecord(root, 'web1')).toThrow(/is not valid JSON .*Rebuild with "nx run web1:build --skip-nx-cache"/);
    expect(previousOutPath(root, 'web1')).toBeUndefined();
  });

  it.each([
    ['another host\'s record', { ...web1, host: 'web2' }],
    ['a drvPath that is no derivation', { ...web1, drvPath: out('web1') }],
    ['a drvPath outside the store', { ...web1, drvPath: '/tmp/x.drv' }],
    ['an outPath outside the store', { ...web1, outPath: '/etc' }],
    ['no outPath', { ...web1, outPath: undefined }],
    ['an array', [web1]],
    ['null', null],
  ])('refuses %s', (_what, record) => {
    put('web1', JSON.stringify(record));
    expect(() => readBuildRecord(root, 'web1')).toThrow(/is not a record of host "web1" .*Refusing to use it\. Rebuild with "nx run web1:build --skip-nx-cache"/);
  });

  it('names what it found in a record it refuses', () => {
    put('web1', JSON.stringify({ ...web1, outPath: '/etc' }));
    expect(() => readBuildRecord(root, 'web1')).toThrow(`(host "web1", drvPath "${drv('web1')}", outPath "/etc")`);
  });

  it('previousOutPath ignores an outPath that is not text', () => {
    put('web1', JSON.stringify({ ...web1, outPath: 42 }));
    expect(previousOutPath(root, 'web1')).toBeUndefined();
  });
});

describe('checkRecord', () => {
  const expected = { drvPath: drv('web1'), outPath: out('web1') };
  it('accepts the evaluated system', () => {
    expect(() => checkRecord({ host: 'web1', ...expected }, expected, 'dist/hosts/web1/build.json')).not.toThrow();
  });

  it.each([
    ['another drvPath', { drvPath: drv('old'), outPath: out('web1') }],
    ['another outPath', { drvPath: drv('web1'), outPath: out('old') }],
  ])('refuses a record with %s, naming both systems, what was not done, and the fix', (_what, claimed) => {
    expect(() => checkRecord({ host: 'web1', ...claimed }, expected, 'dist/hosts/web1/build.json', 'eval record', 'nothing was deployed')).toThrow(
      `The eval record dist/hosts/web1/build.json names ${claimed.outPath} (${claimed.drvPath}), but the flake evaluates host "web1" to ${expected.outPath} (${expected.drvPath}) at this commit. Refusing to use it: nothing was deployed. Rebuild with "nx run web1:build --skip-nx-cache"`,
    );
  });
});
