import { batchKey, matchBuildResults } from './batch';

describe('batch build', () => {
  it('groups plain builds that share flake, builders, extra args and log style', () => {
    expect(batchKey({ host: 'a' })).toBe(batchKey({ host: 'b', flake: '.' }));
    expect(batchKey({ extraArgs: ['-j4'] })).not.toBe(batchKey({}));
    expect(batchKey({ builders: 'ssh-ng://b1' })).not.toBe(batchKey({}));
    expect(batchKey({ progress: false })).not.toBe(batchKey({}));
    expect(batchKey({ progress: true })).toBe(batchKey({}));
    expect(batchKey({ flake: './other' })).not.toBe(batchKey({}));
  });

  it.each([[{ dryRun: true }], [{ buildHost: 'b1' }], [{ cacheTo: 'file:///c' }], [{ signingKey: '/etc/nix/key' }]])('builds %j alone', (o) => {
    expect(batchKey(o)).toBeUndefined();
  });

  // Names whose sorted order, task order and Nix's printing order all differ.
  const toplevels = {
    workstation: { drvPath: '/nix/store/11111111111111111111111111111111-nixos-system-workstation.drv', outPath: '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-workstation' },
    nas1: { drvPath: '/nix/store/22222222222222222222222222222222-nixos-system-nas1.drv', outPath: '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-nas1' },
    web1: { drvPath: '/nix/store/33333333333333333333333333333333-nixos-system-web1.drv', outPath: '/nix/store/cccccccccccccccccccccccccccccccc-nixos-system-web1' },
  };

  it('matches results to hosts by drvPath, not by position', () => {
    const printed = [toplevels.web1, toplevels.workstation, toplevels.nas1];
    expect(matchBuildResults(toplevels, printed)).toEqual(toplevels);
  });

  it('gives hosts with the same system the same result', () => {
    const twin = { a: toplevels.nas1, b: toplevels.nas1 };
    expect(matchBuildResults(twin, [toplevels.nas1])).toEqual(twin);
  });

  it('refuses a missing or different output', () => {
    expect(() => matchBuildResults(toplevels, [toplevels.web1, toplevels.nas1])).toThrow(`nix build printed no result for ${toplevels.workstation.drvPath} (host "workstation").`);
    const wrong = [toplevels.web1, toplevels.nas1, { drvPath: toplevels.workstation.drvPath, outPath: toplevels.web1.outPath }];
    expect(() => matchBuildResults(toplevels, wrong)).toThrow(`nix build printed ${toplevels.web1.outPath}, not ${toplevels.workstation.outPath}, for`);
  });
});
