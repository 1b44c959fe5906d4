import {
  drvInstallable,
  isStorePath,
  nixBuildArgs,
  nixEvalToplevelsArgs,
  nixGcRootArgs,
  nixPathInfoClosureArgs,
  nixStoreArgs,
  parseEvalToplevels,
  parseNixBuildJson,
  parseNixBuildResults,
  toplevelInstallable,
} from './nix-argv';

const DRV_A = '/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-alpha.drv';
const OUT_A = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-alpha';
const DRV_Z = '/nix/store/zhz6kk8inmyhpklvnqhhipn1if2gqvig-nixos-system-zeta.drv';
const OUT_Z = '/nix/store/pgfrfx6x4nscqmaxccv0q4mil0h6fn00-nixos-system-zeta';

const toplevel = '/fleet#nixosConfigurations.ares.config.system.build.toplevel';

describe('nix argv builders', () => {
  it('names the toplevel of a host', () => {
    expect(toplevelInstallable('/fleet', 'ares')).toBe(toplevel);
  });

  it.each([
    [{ installables: [toplevel], outLink: 'dist/hosts/ares/system' }, ['build', toplevel, '--out-link', 'dist/hosts/ares/system', '--json', '--print-build-logs']],
    [{ installables: [toplevel] }, ['build', toplevel, '--no-link', '--json', '--print-build-logs']],
    [{ installables: [toplevel], outLink: 'o', extraArgs: ['--max-jobs', '4'] }, ['build', toplevel, '--out-link', 'o', '--json', '--print-build-logs', '--max-jobs', '4']],
    [{ installables: [toplevel], outLink: 'o', dryRun: true }, ['build', toplevel, '--dry-run']],
  ])('nix build %j', (args, expected) => {
    expect(nixBuildArgs(args)).toEqual(expected);
  });

  it('keeps a hostile value as one argument', () => {
    expect(nixBuildArgs({ installables: [toplevel], extraArgs: ['--option', 'x', '$(reboot); echo'] }).slice(-1)).toEqual(['$(reboot); echo']);
  });

  it('builds several installables in one call', () => {
    expect(nixBuildArgs({ installables: [DRV_Z, DRV_A] })).toEqual(['build', DRV_Z, DRV_A, '--no-link', '--json', '--print-build-logs']);
    expect(() => nixBuildArgs({ installables: [] })).toThrow('nix build needs at least one installable');
  });

  it('roots a store path and points at a build host store', () => {
    expect(nixGcRootArgs(OUT_A, 'dist/hosts/alpha/system')).toEqual(['build', OUT_A, '--out-link', 'dist/hosts/alpha/system']);
    expect(nixStoreArgs('root@b1')).toEqual(['--store', 'ssh-ng://root@b1']);
  });

  it.each([
    ['2.8.0', DRV_A],
    ['2.12.1', DRV_A],
    ['2.13.0', `${DRV_A}^out`],
    ['2.18.8', `${DRV_A}^out`],
    ['2.90.0-lix', `${DRV_A}^out`],
    ['3.0.0', `${DRV_A}^out`],
    ['10.1.0', `${DRV_A}^out`],
    ['1.20.0', DRV_A],
    ['unknown', DRV_A],
  ])('names a derivation output for nix %s', (version, expected) => {
    expect(drvInstallable(DRV_A, version)).toBe(expected);
  });

  it('evaluates the named hosts in one nix eval', () => {
    const args = nixEvalToplevelsArgs('/fleet', ['zeta', 'alpha']);
    expect(args.slice(0, 4)).toEqual(['eval', '--json', '/fleet#nixosConfigurations', '--apply']);
    expect(args[4]).toContain('[ "zeta" "alpha" ]');
    expect(args).toHaveLength(5);
  });

  it.each(['a"b', '${x}', 'Web', '-x', ''])('refuses host %j in the eval expression', (host) => {
    expect(() => nixEvalToplevelsArgs('/fleet', ['ok', host])).toThrow('is not a valid host name');
  });

  it('asks for the closure of a path', () => {
    expect(nixPathInfoClosureArgs('/nix/store/abc-x')).toEqual(['path-info', '--recursive', '--closure-size', '--json', '/nix/store/abc-x']);
  });
});

describe('parseEvalToplevels', () => {
  const printed = JSON.stringify({ alpha: { drv: DRV_A, out: OUT_A }, zeta: { drv: DRV_Z, out: OUT_Z } });

  it('gives each host its own paths, whatever the order', () => {
    expect(parseEvalToplevels(printed, ['zeta', 'alpha'])).toEqual({
      zeta: { drvPath: DRV_Z, outPath: OUT_Z },
      alpha: { drvPath: DRV_A, outPath: OUT_A },
    });
  });

  it.each([
    [JSON.stringify({ alpha: { drv: DRV_A, out: OUT_A } }), 'nix eval gave no toplevel for "zeta"'],
    [JSON.stringify({ alpha: { drv: DRV_A, out: '/etc' }, zeta: { drv: DRV_Z, out: OUT_Z } }), 'nix eval gave no toplevel for "alpha"'],
  ])('refuses %s', (out, message) => {
    expect(() => parseEvalToplevels(out, ['alpha', 'zeta'])).toThrow(message);
  });

  it('quotes at most 200 characters of what nix printed', () => {
    const long = JSON.stringify({ alpha: { drv: DRV_A, out: OUT_A }, junk: 'x'.repeat(500) });
    expect(() => parseEvalToplevels(long, ['alpha', 'zeta'])).toThrow(`nix eval gave no toplevel for "zeta": ${long.slice(0, 200)}`);
    expect(() => parseEvalToplevels(long, ['alpha', 'zeta'])).not.toThrow(long.slice(0, 201));
  });
});

describe('isStorePath', () => {
  it.each([
    [OUT_A, true],
    [DRV_A, true],
    ['/etc', false],
    ['/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-x/../../etc', false],
    ['/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-x', false],
    ['/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-a b', false],
    ['/tmp/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-x', false],
    [[OUT_A], false],
    [42, false],
  ])('%j -> %s', (path, ok) => {
    expect(isStorePath(path)).toBe(ok);
  });
});

describe('parseNixBuildResults', () => {
  it('keeps every result with its drvPath', () => {
    const out = JSON.stringify([
      { drvPath: DRV_Z, outputs: { out: OUT_Z } },
      { drvPath: DRV_A, outputs: { out: OUT_A } },
    ]);
    expect(parseNixBuildResults(out)).toEqual([
      { drvPath: DRV_Z, outPath: OUT_Z },
      { drvPath: DRV_A, outPath: OUT_A },
    ]);
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

  const good = { drvPath: DRV_A, outputs: { out: OUT_A } };
  it.each([
    ['an object', good],
    ['a result without drvPath', [good, { outputs: { out: OUT_Z } }]],
    ['a result without out output', [good, { drvPath: DRV_Z, outputs: { dev: OUT_Z } }]],
    ['a result without outputs', [good, { drvPath: DRV_Z }]],
    ['a null result', [good, null]],
  ])('refuses %s among the results', (_what, printed) => {
    expect(() => parseNixBuildResults(JSON.stringify(printed))).toThrow('nix build --json printed no drvPath and out output');
  });

  it('quotes at most 200 characters of what nix printed', () => {
    const long = JSON.stringify([{ drvPath: DRV_A, junk: 'x'.repeat(500) }]);
    expect(() => parseNixBuildJson(long)).toThrow(`printed no drvPath and out output: ${long.slice(0, 200)}`);
    expect(() => parseNixBuildJson(long)).not.toThrow(long.slice(0, 201));
  });
});
