// verifiedRecord with real nix on a flake of one trivial "system": a record the flake evaluates
// to is realised from its derivation, one it does not is refused, a remote build is left alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outLinkPath, verifiedRecord, writeBuildRecord, type BuildRecord } from './build-record';
import { evaluateToplevels, TOPLEVEL_CACHE_DIR, writeToplevelFile } from './toplevels';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'verified-record-'));
  // A fresh output each run, so that it is never in the store before the spec builds it.
  const nonce = `${process.pid}-${Date.now()}`;
  writeFileSync(
    join(root, 'flake.nix'),
    `{ outputs = { self }: { nixosConfigurations.web1.config.system.build.toplevel = derivation {
      name = "nixos-system-web1"; system = "x86_64-linux"; builder = "/bin/sh"; nonce = "${nonce}";
      args = [ "-c" "echo $nonce > $out" ]; }; }; }`,
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));
// The nix commands verifiedRecord runs echo themselves and their build log.
beforeEach(() => jest.spyOn(process.stderr, 'write').mockImplementation(() => true));
afterEach(() => jest.restoreAllMocks());

const evaluated = async (): Promise<BuildRecord> => ({ host: 'web1', system: 'x86_64-linux', ...(await evaluateToplevels(root, root, ['web1'], false)).web1, nixVersion: '2.8.0' });

describe('verifiedRecord', () => {
  it('builds the recorded system from its derivation when only the record is here, with its GC root', async () => {
    const record = await evaluated();
    writeBuildRecord(root, record);
    expect(existsSync(record.outPath)).toBe(false);
    await expect(verifiedRecord(root, 'web1', root)).resolves.toEqual(record);
    expect(existsSync(record.outPath)).toBe(true);
    expect(readlinkSync(outLinkPath(root, 'web1'))).toBe(record.outPath);
  });

  it('builds from the flake when the derivation was garbage-collected since its evaluation', async () => {
    const record = await evaluated();
    writeBuildRecord(root, record);
    writeToplevelFile(join(root, TOPLEVEL_CACHE_DIR, 'web1.json'), 'eval-hash', record);
    execFileSync('nix', ['store', 'delete', record.drvPath], { stdio: 'ignore' });
    await expect(verifiedRecord(root, 'web1', root, 'eval-hash')).resolves.toEqual(record);
    expect(readlinkSync(outLinkPath(root, 'web1'))).toBe(record.outPath);
  });

  it('builds nothing here for a host built on its target', async () => {
    const record: BuildRecord = { ...(await evaluated()), buildOn: 'remote' };
    writeBuildRecord(root, record);
    await expect(verifiedRecord(root, 'web1', root)).resolves.toEqual(record);
    expect(existsSync(record.outPath)).toBe(false);
    expect(existsSync(outLinkPath(root, 'web1'))).toBe(false);
  });

  it('refuses a record the flake does not evaluate to, naming the record by its workspace path', async () => {
    const record = await evaluated();
    writeBuildRecord(root, { ...record, outPath: `/nix/store/${'b'.repeat(32)}-nixos-system-web1` });
    await expect(verifiedRecord(root, 'web1', root)).rejects.toThrow(
      `The build record dist/hosts/web1/build.json names /nix/store/${'b'.repeat(32)}-nixos-system-web1 (${record.drvPath}), but the flake evaluates host "web1" to ${record.outPath}`,
    );
    expect(existsSync(record.outPath)).toBe(false);
  });
});
