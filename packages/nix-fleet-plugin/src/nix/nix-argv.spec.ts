import { nixBuildArgs, nixEvalDrvPathArgs, nixPathInfoClosureArgs, parseNixBuildJson, toplevelInstallable } from './nix-argv';

const toplevel = '/fleet#nixosConfigurations.ares.config.system.build.toplevel';

describe('nix argv builders', () => {
  it('names the toplevel of a host', () => {
    expect(toplevelInstallable('/fleet', 'ares')).toBe(toplevel);
  });

  it.each([
    [{ installable: toplevel, outLink: 'dist/hosts/ares/system' }, ['build', toplevel, '--out-link', 'dist/hosts/ares/system', '--json', '--print-build-logs']],
    [{ installable: toplevel }, ['build', toplevel, '--no-link', '--json', '--print-build-logs']],
    [{ installable: toplevel, outLink: 'o', extraArgs: ['--max-jobs', '4'] }, ['build', toplevel, '--out-link', 'o', '--json', '--print-build-logs', '--max-jobs', '4']],
    [{ installable: toplevel, outLink: 'o', dryRun: true }, ['build', toplevel, '--dry-run']],
  ])('nix build %j', (args, expected) => {
    expect(nixBuildArgs(args)).toEqual(expected);
  });

  it('keeps a hostile value as one argument', () => {
    expect(nixBuildArgs({ installable: toplevel, extraArgs: ['--option', 'x', '$(reboot); echo'] }).slice(-1)).toEqual(['$(reboot); echo']);
  });

  it('evaluates the drvPath', () => {
    expect(nixEvalDrvPathArgs(toplevel)).toEqual(['eval', '--raw', `${toplevel}.drvPath`]);
  });

  it('asks for the closure of a path', () => {
    expect(nixPathInfoClosureArgs('/nix/store/abc-x')).toEqual(['path-info', '--recursive', '--closure-size', '--json', '/nix/store/abc-x']);
  });
});

describe('parseNixBuildJson', () => {
  it('reads what nix 2.8 prints', () => {
    const recorded =
      '[{"drvPath":"/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-alpha.drv","outputs":{"out":"/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-alpha"}}]\n';
    expect(parseNixBuildJson(recorded)).toEqual({
      drvPath: '/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-alpha.drv',
      outPath: '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-alpha',
    });
  });

  it('fails clearly on output without a toplevel', () => {
    expect(() => parseNixBuildJson('[]')).toThrow('nix build --json printed no drvPath and out output: []');
  });
});
