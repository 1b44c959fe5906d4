import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressReporter } from './progress';

// Recorded from `nix build -L --log-format internal-json` (Nix 2.8.0): three derivations, the
// first two echo "compiling foo"; then the two error messages of a failed build.
const RECORDED = readFileSync(join(__dirname, '..', '..', 'testing', 'fixtures', 'nix-2.8-build.internal-json.log'), 'utf-8').split('\n').filter(Boolean);

describe('ProgressReporter', () => {
  it('turns nix events into per-host steps, N of M derivations and prefixed build logs', () => {
    const lines: string[] = [];
    const p = new ProgressReporter('ares', (l) => lines.push(l));
    RECORDED.forEach((l) => p.line(l));
    expect(lines.filter((l) => !l.includes('Git tree'))).toEqual([
      'ares: building bar-lib-0.9 (1 of 3)',
      'ares> compiling foo',
      'ares: building foo-1.2.3 (2 of 3)',
      'ares> compiling foo',
      expect.stringMatching(/^ares: building top-\d+ \(3 of 3\)$/),
      'ares: built 3 of 3 derivations',
      expect.stringMatching(/^ares: error: builder for '\/nix\/store\/\w+-bar-lib-0\.9\.drv' failed with exit code 3$/),
      expect.stringMatching(/^ares: error: 1 dependencies of derivation .* failed to build$/),
    ]);
    expect(p.firstError).toMatch(/^builder for '\/nix\/store\/\w+-bar-lib-0\.9\.drv' failed with exit code 3$/);
  });

  it('passes plain lines through with the host, and survives broken JSON', () => {
    const lines: string[] = [];
    const p = new ProgressReporter('web1', (l) => lines.push(l));
    p.line('warning: something plain');
    p.line('@nix {not json');
    p.line('');
    p.line('@nix {"action":"start","id":7,"level":3,"type":100,"fields":["/nix/store/00000000000000000000000000000000-app-1.0","local","file:///tmp/c"]}');
    expect(lines).toEqual(['web1: warning: something plain', 'web1: @nix {not json', 'web1: copying app-1.0 to file:///tmp/c']);
  });
});
