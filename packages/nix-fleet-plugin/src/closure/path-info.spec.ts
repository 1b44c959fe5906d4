import { biggestPaths, parsePathInfoJson } from './path-info';

// Recorded from `nix path-info --recursive --closure-size --json` (Nix 2.8.0) on a fixture toplevel.
const TOP = '/nix/store/3xfqbzira2j1kmbv13b3vj9xdakcwd23-top-1795897006467626662';
const FOO = '/nix/store/brxfm0xnk7mk0cf4icxi5giamxlz0gyd-foo-1.2.3';
const BAR = '/nix/store/dra757jg3b67srmd9sp4hnxpw10bhbvj-bar-lib-0.9';
const RECORDED = `[{"path":"${TOP}","narHash":"sha256-8tfiwvNJZxG2+Bnao4J7bYS9lEo9dg6yNoEG+IOabQw=","narSize":576,"references":["${FOO}","${BAR}"],"closureSize":9136,"registrationTime":1795897006,"ultimate":true},{"path":"${FOO}","narHash":"sha256-IqAjXRon6joeGzSXp1ZXV6dmzPDpG6O52Rbm5SFPcsc=","narSize":5280,"references":[],"closureSize":5280,"ultimate":true},{"path":"${BAR}","narHash":"sha256-7yU4lit+Y0AcSI4v7RDmzy8GzgE9NZbIpht1TI6iGCk=","narSize":3280,"references":[],"closureSize":3280,"ultimate":true}]`;

describe('parsePathInfoJson', () => {
  it('takes the toplevel closureSize exactly and every path, sorted by name', () => {
    const r = parsePathInfoJson(RECORDED, TOP, 'ares');
    expect(r).toEqual({
      host: 'ares',
      outPath: TOP,
      closureSize: 9136,
      pathCount: 3,
      paths: [
        { path: BAR, narSize: 3280 },
        { path: FOO, narSize: 5280 },
        { path: TOP, narSize: 576 },
      ],
    });
    expect(biggestPaths(r, 2)).toEqual([
      { path: FOO, narSize: 5280 },
      { path: BAR, narSize: 3280 },
    ]);
  });

  it('reads the object form newer Nix prints', () => {
    const obj = JSON.stringify({ [TOP]: { narSize: 10, closureSize: 10 } });
    expect(parsePathInfoJson(obj, TOP, 'ares').closureSize).toBe(10);
  });

  it('fails clearly when the toplevel is missing', () => {
    expect(() => parsePathInfoJson('[]', TOP, 'ares')).toThrow(`did not report a closureSize for ${TOP}`);
    expect(() => parsePathInfoJson('oops', TOP, 'ares')).toThrow('nix path-info printed no JSON');
  });
});
