import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChanged } from '../../nix/build-changes';
import { builtLine, recordBuilt } from './record-built';

const A = { drvPath: '/nix/store/11111111111111111111111111111111-nixos-system-web1.drv', outPath: '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-web1' };
const B = { drvPath: '/nix/store/22222222222222222222222222222222-nixos-system-web1.drv', outPath: '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-web1' };

describe('recordBuilt: the one writer of a build record, for the executor, the batch and buildOn remote', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'record-built-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const read = () => JSON.parse(readFileSync(join(root, 'dist/hosts/web1/build.json'), 'utf-8'));

  it('writes build.json and notes whether the system changed, keyed by the task hash', () => {
    const record = recordBuilt(root, { host: 'web1', system: 'x86_64-linux', toplevel: A, nixVersion: '2.8.0', taskHash: 'h1', before: undefined });
    expect(record).toBe('dist/hosts/web1/build.json');
    expect(read()).toEqual({ host: 'web1', system: 'x86_64-linux', ...A, nixVersion: '2.8.0' });
    expect(buildChanged(root, 'web1', 'h1')).toBe(true);
    recordBuilt(root, { host: 'web1', system: 'x86_64-linux', toplevel: A, nixVersion: '2.8.0', taskHash: 'h2', before: A.outPath });
    expect(buildChanged(root, 'web1', 'h2')).toBe(false);
    expect(buildChanged(root, 'web1', 'h1')).toBeUndefined();
  });

  it('marks a host built on its target, and only then', () => {
    recordBuilt(root, { host: 'web1', system: 'aarch64-linux', toplevel: B, nixVersion: '2.8.0', taskHash: 'h3', before: A.outPath, buildOn: 'remote' });
    expect(read()).toEqual({ host: 'web1', system: 'aarch64-linux', ...B, nixVersion: '2.8.0', buildOn: 'remote' });
    expect(buildChanged(root, 'web1', 'h3')).toBe(true);
  });

  it('reports the host, its system and the record', () => {
    expect(builtLine('web1', A.outPath, 'dist/hosts/web1/build.json')).toBe(`web1: ${A.outPath}\n  record: dist/hosts/web1/build.json`);
  });
});
