import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sharedHostInputs } from './shared-inputs';

describe('sharedHostInputs', () => {
  let root: string;
  const touch = (file: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '{ }');
  };
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'shared-inputs-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('covers the flake, the profiles, every host.json and every other folder of Nix, but not host Nix or build output', () => {
    ['flake.nix', 'overlays.nix', 'modules/net/wifi.nix', 'lib/mk-host.nix', 'packages/profiles/base.nix', 'hosts/ares/configuration.nix', 'node_modules/x/default.nix', 'dist/y.nix', 'docs/guide.md'].forEach(touch);
    expect(sharedHostInputs(root, '.')).toEqual([
      '{workspaceRoot}/flake.lock',
      '{workspaceRoot}/flake.nix',
      '{workspaceRoot}/hosts/*/host.json',
      '{workspaceRoot}/lib/**/*.nix',
      '{workspaceRoot}/modules/**/*.nix',
      '{workspaceRoot}/overlays.nix',
      '{workspaceRoot}/packages/profiles/**/*',
    ]);
  });

  it('follows a flake that lives in a sub-folder', () => {
    touch('infra/flake.nix');
    expect(sharedHostInputs(root, 'infra')).toEqual(['{workspaceRoot}/hosts/*/host.json', '{workspaceRoot}/infra/**/*.nix', '{workspaceRoot}/infra/flake.lock', '{workspaceRoot}/infra/flake.nix', '{workspaceRoot}/packages/profiles/**/*']);
  });
});
