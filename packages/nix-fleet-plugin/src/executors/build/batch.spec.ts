import { batchKey, parseBatchJson } from './batch';

describe('batch build', () => {
  it('groups plain builds that share flake, builders, extra args and log style', () => {
    expect(batchKey({ host: 'a' })).toBe(batchKey({ host: 'b', flake: '.' }));
    expect(batchKey({ extraArgs: ['-j4'] })).not.toBe(batchKey({}));
    expect(batchKey({ builders: 'ssh-ng://b1' })).not.toBe(batchKey({}));
    expect(batchKey({ progress: false })).not.toBe(batchKey({}));
  });

  it.each([[{ dryRun: true }], [{ buildHost: 'b1' }], [{ cacheTo: 'file:///c' }]])('builds %j alone', (o) => {
    expect(batchKey(o)).toBeUndefined();
  });

  it('reads one result per host, in order', () => {
    const out = JSON.stringify([
      { drvPath: '/nix/store/a.drv', outputs: { out: '/nix/store/a' } },
      { drvPath: '/nix/store/b.drv', outputs: { out: '/nix/store/b' } },
    ]);
    expect(parseBatchJson(out, 2)).toEqual([
      { drvPath: '/nix/store/a.drv', outPath: '/nix/store/a' },
      { drvPath: '/nix/store/b.drv', outPath: '/nix/store/b' },
    ]);
    expect(() => parseBatchJson(out, 3)).toThrow('nix build --json printed 2 results for 3 hosts');
  });
});
