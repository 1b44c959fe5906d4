// packages/profiles/secrets.nix fails every host with secrets while .sops.yaml holds the admin
// placeholder. NixOS cannot be evaluated here (no nixpkgs), so this evaluates the real module file
// with real Nix and a small builtins-only stand-in for nixpkgs' lib (the few functions it calls),
// against .sops.yaml files written by the plugin's own fleetSopsConfig.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fleetSopsConfig } from '../../../packages/nix-fleet-plugin/src/generators/shared/sops-admin';
import { REPO_ROOT } from '../../support/workspace';

const ADMIN = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

// mkIf and the option helpers keep their arguments visible; hasInfix splits as nixpkgs' does
// (the marker holds no regex metacharacter, so no escaping is needed).
const STUB_LIB = `{
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkOption = o: o;
  mkEnableOption = d: { description = d; };
  types = { path = "path"; bool = "bool"; };
  literalExpression = t: t;
  literalMD = t: t;
  optional = c: x: if c then [ x ] else [ ];
  optionalAttrs = c: a: if c then a else { };
  hasInfix = infix: content: builtins.length (builtins.split infix content) > 1;
}`;

describe('profiles.secrets and the admin key placeholder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'secrets-admin-spec-'));
    mkdirSync(join(dir, 'secrets'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The module's second assertion for a host with secrets/h.yaml, as JSON. */
  function adminAssertion(enable = true): { assertion: boolean; message: string } | null {
    const expr = `let
      m = import ${join(REPO_ROOT, 'packages/profiles/secrets.nix')} {
        lib = ${STUB_LIB};
        options = { };
        config = { networking.hostName = "h"; profiles.secrets = { enable = ${enable}; sopsFile = ${dir}/secrets/h.yaml; }; };
      };
    in if m.config.condition then builtins.elemAt m.config.content.assertions 1 else null`;
    const r = spawnSync('nix-instantiate', ['--eval', '--strict', '--json', '-E', expr], { encoding: 'utf-8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  }

  it('fails a host with secrets while .sops.yaml has the placeholder, naming the fix', () => {
    writeFileSync(join(dir, '.sops.yaml'), fleetSopsConfig(undefined));
    const a = adminAssertion();
    expect(a?.assertion).toBe(false);
    expect(a?.message).toBe(
      'h: .sops.yaml still has the admin key placeholder, so no secret can be encrypted for you. Put your age public key in its place: ' +
        'npx nx g @nix-fleet/nx:init --admin-age-key="$(age-keygen -y ~/.config/sops/age/keys.txt)" (make a key first with age-keygen -o ~/.config/sops/age/keys.txt), ' +
        'then commit .sops.yaml (docs/Secrets.md).',
    );
  });

  it.each([
    ['an admin key', () => fleetSopsConfig(ADMIN)],
    ['the placeholder named only in a comment', () => `# NIX-FLEET-ADMIN-AGE-KEY-PLACEHOLDER was here\nkeys:\n  - &admin ${ADMIN}\n`],
  ])('passes with %s', (_what, text) => {
    writeFileSync(join(dir, '.sops.yaml'), text());
    expect(adminAssertion()?.assertion).toBe(true);
  });

  it('passes without a .sops.yaml, and asks nothing of a host without secrets', () => {
    expect(adminAssertion()?.assertion).toBe(true);
    writeFileSync(join(dir, '.sops.yaml'), fleetSopsConfig(undefined));
    expect(adminAssertion(false)).toBeNull();
  });
});
