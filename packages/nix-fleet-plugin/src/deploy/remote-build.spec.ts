import { nixCopyArgs } from '../ssh/argv';
import { buildOnTarget, realiseArgv } from './remote-build';
import type { DeployPlan } from './options';

const plan = { host: 'web1', target: { host: 'web1.lan' }, activationTimeout: 600, buildTimeout: 86400 } as DeployPlan;
const DRV = '/nix/store/aaaa-nixos-system-web1.drv';
const OUT = '/nix/store/bbbb-nixos-system-web1';
const ok = (stdout: string) => Promise.resolve({ stdout, stderr: '', code: 0, durationMs: 1 });

describe('buildOn remote', () => {
  it('copies the derivation (not its outputs), then realises it on the target', async () => {
    const calls: string[][] = [];
    const lines: string[] = [];
    await buildOnTarget(
      { copyDerivation: (drv) => (calls.push(['copy', drv]), ok('')), exec: (argv) => (calls.push(argv), ok(`${OUT}\n`)) },
      plan,
      { drvPath: DRV },
      OUT,
      (l) => lines.push(l),
    );
    expect(calls).toEqual([['copy', DRV], ['nix-store', '--realise', DRV]]);
    expect(lines).toEqual([`web1: copying the derivation ${DRV} (deployment.buildOn: remote)`, `web1: building ${DRV} on web1.lan`]);
    expect(realiseArgv(DRV)).toEqual(['nix-store', '--realise', DRV]);
  });

  it('bounds the build on the target by buildTimeout, not by activationTimeout (a system build takes longer than a switch)', async () => {
    const bounds: number[] = [];
    await buildOnTarget({ exec: (_argv, opts) => (bounds.push(opts.timeoutMs), ok(`${OUT}\n`)) }, { ...plan, activationTimeout: 5, buildTimeout: 7200 }, { drvPath: DRV }, OUT, () => undefined);
    expect(bounds).toEqual([7200 * 1000]);
  });

  it('refuses a build that gave another system', async () => {
    expect.assertions(1);
    await expect(buildOnTarget({ exec: () => ok('/nix/store/cccc-other\n') }, plan, { drvPath: DRV }, OUT, () => undefined)).rejects.toThrow(`building ${DRV} on web1.lan gave /nix/store/cccc-other, not ${OUT}.`);
  });

  it('shows the build log, trimmed, without blank lines; reads its outputs trimmed', async () => {
    const lines: string[] = [];
    const exec = (_argv: string[], opts: { onStderrLine?: (l: string) => void }) => {
      ['  building foo.drv  ', '   ', 'copying path bar'].forEach((l) => opts.onStderrLine?.(l));
      return ok(`  ${OUT}  \n\n`);
    };
    await buildOnTarget({ exec }, plan, { drvPath: DRV }, OUT, (l) => lines.push(l));
    expect(lines).toEqual([`web1: building ${DRV} on web1.lan`, '  building foo.drv', '  copying path bar']);
  });

  it.each([
    ['', 'nothing'],
    ['/nix/store/cccc-a\n/nix/store/dddd-b\n', '/nix/store/cccc-a, /nix/store/dddd-b'],
  ])('a build that gave %j names %s', async (stdout, gave) => {
    await expect(buildOnTarget({ exec: () => ok(stdout) }, plan, { drvPath: DRV }, OUT, () => undefined)).rejects.toThrow(`building ${DRV} on web1.lan gave ${gave}, not ${OUT}.`);
  });

  it.each([
    [{ derivation: true }, ['copy', '--derivation', '--to', 'ssh-ng://web1', '--no-check-sigs', DRV]],
    [{}, ['copy', '--to', 'ssh-ng://web1', '--no-check-sigs', DRV]],
  ])('nix copy %j', (extra, argv) => {
    expect(nixCopyArgs({ storeUri: 'ssh-ng://web1', outPath: DRV, ...extra })).toEqual(argv);
  });
});
