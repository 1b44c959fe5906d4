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
  const nonce = `${root.split('/').pop()}-${Date.now()}`;
  writeFileSync(
    join(root, 'flake.nix'),
    `{ outputs = { self }: { nixosConfigurations.web1.config.system.build.toplevel = derivation {
      name = "nixos-system-web1"; system = "x86_64-linux"; builder = "/bin/sh"; nonce = "${nonce}";
      args = [ "-c" "echo building $nonce >&2; echo $nonce > $out" ]; }; }; }`,
  );
});
afterEach(() => rmSync(root, { recursive: true, force: true }));
// The nix commands verifiedRecord runs echo themselves and their build log.
let stderr: string[];
beforeEach(() => {
  stderr = [];
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
});
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
    // The build shows its command and its log as it runs.
    const shown = stderr.join('');
    expect(shown).toContain(`nix build ${record.drvPath}`);
    expect(shown).toContain('building verified-record-');
  });

  it('builds from the flake when the derivation was garbage-collected since its evaluation', async () => {
    const record = await evaluated();
    writeBuildRecord(root, record);
    writeToplevelFile(join(root, TOPLEVEL_CACHE_DIR, 'web1.json'), 'eval-hash', record);
    execFileSync('nix', ['store', 'delete', record.drvPath], { stdio: 'ignore' });
    await expect(verifiedRecord(root, 'web1', root, 'eval-hash')).resolves.toEqual(record);
    expect(readlinkSync(outLinkPath(root, 'web1'))).toBe(record.outPath);
  });

  it('refuses a build that gives another system than the one recorded and proven', async () => {
    const claimed = { drvPath: `/nix/store/${'a'.repeat(32)}-nixos-system-web1.drv`, outPath: `/nix/store/${'b'.repeat(32)}-nixos-system-web1` };
    const real = await evaluated();
    writeBuildRecord(root, { ...real, ...claimed });
    writeToplevelFile(join(root, TOPLEVEL_CACHE_DIR, 'web1.json'), 'eval-hash', claimed);
    await expect(verifiedRecord(root, 'web1', root, 'eval-hash')).rejects.toThrow(
      `Building ${claimed.drvPath} gave ${real.outPath}, not ${claimed.outPath} as recorded for "web1". Rebuild with "nx run web1:build --skip-nx-cache".`,
    );
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
      `The build record dist/hosts/web1/build.json names /nix/store/${'b'.repeat(32)}-nixos-system-web1 (${record.drvPath}), but the flake evaluates host "web1" to ${record.outPath} (${record.drvPath}) at this commit. Refusing to use it: nothing was measured or sent.`,
    );
    expect(existsSync(record.outPath)).toBe(false);
  });
});
