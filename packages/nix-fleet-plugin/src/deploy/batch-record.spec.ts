// The record of a deploy batch: which hosts it took on, read back for the run that started it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBatchRecord, unfinishedReason, writeBatchRecord } from './batch-record';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-batch-record-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('batch record', () => {
  it('is read back for a run that started at or before the batch, not for a later run', () => {
    const record = { pid: 4242, startedAt: 1500, hosts: ['a', 'b'] };
    writeBatchRecord(root, record);
    expect(readBatchRecord(root, 1500)).toEqual(record);
    expect(readBatchRecord(root, 1000)).toEqual(record);
    expect(readBatchRecord(root, 1501)).toBeUndefined();
    expect(readFileSync(join(root, 'dist/deploy/batch.json'), 'utf-8')).toMatch(/\}\n$/);
  });

  it('is nothing when no batch ran or its file is damaged', () => {
    expect(readBatchRecord(root, 0)).toBeUndefined();
    mkdirSync(join(root, 'dist/deploy'), { recursive: true });
    writeFileSync(join(root, 'dist/deploy/batch.json'), '{"pid": 1,');
    expect(readBatchRecord(root, 0)).toBeUndefined();
  });

  it('says which process ended, and that the watchdog decides an activating host', () => {
    const reason = unfinishedReason({ pid: 31337, startedAt: 0, hosts: [] });
    expect(reason).toContain('the deploy batch (process 31337) ended before this host finished');
    expect(reason).toContain('decided by its own watchdog');
  });
});
