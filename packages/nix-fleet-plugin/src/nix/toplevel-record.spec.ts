// toplevel.json, the eval target's output and the build's cache key: written with a fixed key
// order, read back only when it is this host's and names a derivation and an output in the store.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readToplevelRecord, toplevelRecordPath, writeToplevelRecord, type ToplevelRecord } from './toplevel-record';

const drvPath = `/nix/store/${'a'.repeat(32)}-nixos-system-web1.drv`;
const outPath = `/nix/store/${'b'.repeat(32)}-nixos-system-web1`;
const web1: ToplevelRecord = { host: 'web1', system: 'x86_64-linux', drvPath, outPath };

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'toplevel-record-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const put = (host: string, text: string) => {
  mkdirSync(dirname(toplevelRecordPath(root, host)), { recursive: true });
  writeFileSync(toplevelRecordPath(root, host), text);
};

describe('toplevel records', () => {
  it('are written to the host\'s dist folder in one key order, whatever the order given, and read back', () => {
    const file = writeToplevelRecord(root, { outPath, drvPath, system: 'x86_64-linux', host: 'web1', extra: 'dropped' } as ToplevelRecord);
    expect(file).toBe(join(root, 'dist/hosts/web1/toplevel.json'));
    expect(readFileSync(file, 'utf-8')).toBe(`${JSON.stringify(web1, null, 2)}\n`);
    expect(readToplevelRecord(root, 'web1')).toEqual(web1);
  });

  it('are none when missing or torn', () => {
    expect(readToplevelRecord(root, 'web1')).toBeUndefined();
    put('web1', '{"host": "web1", "drvPa');
    expect(readToplevelRecord(root, 'web1')).toBeUndefined();
  });

  it.each([
    ['another host\'s record', { ...web1, host: 'web2' }],
    ['no system', { ...web1, system: undefined }],
    ['a system that is no text', { ...web1, system: 64 }],
    ['a drvPath that is no derivation', { ...web1, drvPath: outPath }],
    ['a drvPath outside the store', { ...web1, drvPath: '/tmp/x.drv' }],
    ['an outPath outside the store', { ...web1, outPath: '/etc' }],
    ['no outPath', { ...web1, outPath: undefined }],
    ['null', null],
  ])('are none for %s', (_what, record) => {
    put('web1', JSON.stringify(record));
    expect(readToplevelRecord(root, 'web1')).toBeUndefined();
  });
});
