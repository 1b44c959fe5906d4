import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isReached, nixReach, scanNixText, type ReachSource } from './nix-reach';
import { provenExclusions, sharedHostInputs, workspaceReach } from './shared-inputs';
import { trackedFiles } from '../git/tracked-files';

const source = (files: Record<string, string>, symlinks: Record<string, string> = {}): ReachSource => ({
  files: Object.keys(files).sort(),
  symlinks: new Map(Object.entries(symlinks)),
  read: (f) => files[f],
  isDir: (p) => Object.keys(files).some((f) => f.startsWith(`${p}/`)),
});

/** The host-reading lines of the e2e fixture flake (e2e/support/fixture-fleet.ts). */
const FIXTURE_FLAKE = `{
  outputs =
    { self }:
    let
      lib = import ./nix/fixture-lib.nix;
      hostNames = builtins.filter (n: builtins.pathExists (./hosts + "/\${n}/host.json")) (builtins.attrNames (builtins.readDir ./hosts));
      profiles = import ./packages/profiles/default.nix;
      mkHost = name: {
        host = builtins.fromJSON (builtins.readFile (./hosts + "/\${name}/host.json"));
        config = import (./hosts + "/\${name}/configuration.nix");
      };
    in { };
}`;

describe('scanNixText', () => {
  it.each([
    ['./x.nix', ['./x.nix']],
    ['../y', ['../y']],
    ['"${./z}"', ['./z']],
    ['builtins.readFile ./a.md', ['./a.md']],
    ['import ./dir', ['./dir']],
    ['a/b', ['a/b']],
    ['./hosts/${name}/configuration.nix', ['./hosts/']],
    ["''\n  text ${./in-indented} ''$notcode ''${./not-a-path}\n''", ['./in-indented']],
    // Nix reads `$${` in a string as text: what follows the string is code, and its paths count.
    ['{ a = "$${"; b = builtins.readFile ../../docs/motd.md; c = "}"; }', ['../../docs/motd.md']],
    ["{ a = ''$${''; b = builtins.readFile ../../docs/motd.md; c = ''}''; }", ['../../docs/motd.md']],
    ['"$$${./after-dollars}"', ['./after-dollars']],
    // Only the folders before the first ${...} are sure.
    ['./hosts/web-${n}/x.nix', ['./hosts/']],
  ])('finds the paths of %j', (text, paths) => {
    expect(scanNixText(text).paths.map((p) => p.path)).toEqual(paths);
    expect(scanNixText(text).unsure).toBeUndefined();
  });

  it.each([
    '# ./docs/secret.md in a comment',
    '/* ../../secrets/x */ { }',
    '{ description = "see ../docs/guide.md and /etc/passwd"; }',
    "{ text = ''../not/a/path''; }",
    '{ url = "https://example.org/a/b"; u2 = https://example.org/x/y; }',
    'x: y: x / y',
    '{ self, nixpkgs }: { a = self.nixosModules.default; }',
    'inputs@{ self, ... }: { }',
    '{ inputs = { nixpkgs.url = "x"; a.inputs.nixpkgs.follows = "nixpkgs"; }; outputs = inputs: { specialArgs = { inherit inputs; }; m = inputs.disko.nixosModules.disko; }; }',
    '{ inputs, pkgs ? null, ... }@args: { inherit (inputs) nixpkgs; }',
    'hostsDir + "/${name}/configuration.nix"',
    './hosts + "/${n}/host.json"',
    'name + "-suffix"',
    'x == "/../etc" && y != "${a + b}"',
    '{ nixpkgs, self ? null }: { }',
    '{ self, ... }@inputs: { }',
    '{ pkgs, inputs ? { } }: { }',
    '{ to__Path = 1; x = a.to__Path; }',
  ])('is sure of %j and names nothing that is not a path', (text) => {
    const r = scanNixText(text);
    expect(r.unsure).toBeUndefined();
    for (const p of r.paths) expect(p.path).toMatch(/^(\.\/hosts|\.\/)/);
  });

  it.each([
    ['./. + "/../docs/x.md"', /extended/],
    ['./. + x', /extended/],
    ['./. + "/${toString x}"', /extended/],
    ['dir + "/${a + b}/x"', /computed string/],
    ['dir + "/../x"', /computed string/],
    ['dir + "${a + b}/x"', /computed string/],
    ['./hosts + "-old/x.nix"', /extended/],
    // Nix tidies the path after every +: "dir" + "/." is dir, and + "./x" then makes dir./x, a sibling.
    ['./dir + "/." + "./x"', /extended/],
    ['./dir + "/" + "x"', /extended/],
    ['./dir + "/${n}" + "-s.nix"', /extended/],
    // Without a leading "/" the string extends the folder's own name: ./dir + "${n}" is dir-s.nix for n = "-s.nix".
    ['./dir + "${n}"', /extended/],
    ['./dir + "${n}/x.nix"', /extended/],
    ['./hosts/${n}/./x.nix', /computed path/],
    ['./hosts + "/./${n}/x.nix"', /extended/],
    ['./hosts + "/${n}../x"', /extended/],
    ['./hosts + "/..${n}/x"', /extended/],
    ['self.${"outPath"}', /self/],
    ['[ inputs ":" ]', /inputs used whole/],
    ['map f (inputs)', /inputs used whole/],
    ['./hosts/${"../docs"}/x.md', /computed path/],
    ['./hosts/${name}/../../docs/x.md', /computed path/],
    ['./hosts/${toString n}/x', /computed path/],
    ['./hosts/${self}/x', /self/],
    ['/etc/passwd', /absolute/],
    ['/. + "/x"', /absolute/],
    ['<nixpkgs/lib>', /outside/],
    ['~/x', /outside/],
    ['builtins.toPath "/x"', /toPath/],
    ['builtins.getFlake "git+file:///repo"', /getFlake/],
    ['builtins.readFile "${dirOf __curPos.file}/../../docs/m.md"', /curPos/],
    ['builtins.readFile (dirOf (builtins.unsafeGetAttrPos "a" { a = 1; }).file + "/../../docs/m.md")', /unsafeGetAttrPos/],
    ['__toPath "/x"', /toPath/],
    ['import "${self}/docs/a.nix"', /self/],
    ['{ x = self; }', /self/],
    ['inputs.self', /inputs.self/],
    ['self.outPath', /outPath|self/],
    ['self.rev', /self.rev/],
    ['{ inherit (inputs.self) sourceInfo; }', /sourceInfo|self/],
    ['{ inputs, ... }: { t = builtins.readFile "${inputs."self"}/docs/motd.md"; }', /inputs/],
    ['{ inputs, ... }: { t = builtins.readFile "${inputs.${"se" + "lf"}}/docs/motd.md"; }', /inputs/],
    ['{ inputs, ... }: { t = map toString (builtins.attrValues inputs); }', /inputs used whole/],
    ['{ inputs, ... }: with inputs; { }', /inputs used whole/],
  ])('is unsure of %j', (text, why) => {
    expect(scanNixText(text).unsure).toMatch(why);
  });
});

describe('nixReach', () => {
  it('resolves .. chains against the file, reaches folders whole and scans imported non-.nix files', () => {
    const reach = nixReach(
      source({
        'hosts/cx1/configuration.nix': '{ a = import ../cx2/shared.nix; b = builtins.readFile ../../packages/profiles/motd.md; c = builtins.readFile ../../secrets/forced.txt; d = import ./code.txt; }',
        'hosts/cx1/code.txt': 'builtins.readFile ../../docs/used.md',
        'hosts/cx2/shared.nix': '{ }',
        'docs/used.md': '', 'docs/other.md': '', 'README.md': '',
        'packages/profiles/motd.md': '', 'secrets/forced.txt': '',
      }),
    );
    expect(reach.unsure).toBeUndefined();
    expect(reach.roots).toEqual(['docs/used.md', 'hosts/cx1/code.txt', 'hosts/cx2/shared.nix', 'packages/profiles/motd.md', 'secrets/forced.txt']);
    expect(isReached(reach, 'docs/other.md')).toBe(false);
    expect(isReached(reach, 'README.md')).toBe(false);
  });

  it('starts at flake.nix: a .nix file no reached file or folder names cannot make the scan unsure, one in a reached folder can', () => {
    const files = { 'flake.nix': '{ lib = import ./lib; }', 'lib/default.nix': '{ }', 'lib/more.nix': 'builtins.readFile ../docs/used.md', 'e2e/support/x.nix': '/. + "/etc"', 'docs/used.md': '' };
    expect(nixReach(source(files), ['flake.nix'])).toEqual({ roots: ['docs/used.md', 'lib'] });
    expect(nixReach(source(files)).unsure).toMatch(/e2e\/support\/x.nix: an absolute path/);
    expect(nixReach(source({ ...files, 'lib/bad.nix': 'import (./. + x)' }), ['flake.nix']).unsure).toMatch(/lib\/bad.nix/);
  });

  it('follows a symlink to its target, and gives up on a path out of the workspace', () => {
    const linked = nixReach(source({ 'hosts/a/configuration.nix': '{ }', 'hosts/a/notes': '' }, { 'hosts/a/notes': '../../docs/ünïcode dir' }));
    expect(linked.roots).toEqual(['docs/ünïcode dir']);
    expect(isReached(linked, 'docs/ünïcode dir/x.md')).toBe(true);
    expect(nixReach(source({ 'a/b.nix': 'import ../../../etc/x.nix' })).unsure).toMatch(/leaves the workspace/);
    expect(nixReach(source({ 'flake.nix': './.' })).roots).toEqual(['']);
  });

  it('reaches nothing new through the fixture flake, whose host paths are "/${name}" below ./hosts', () => {
    const reach = nixReach(source({ 'flake.nix': FIXTURE_FLAKE, 'nix/fixture-lib.nix': '{ }', 'packages/profiles/default.nix': '{ }' }));
    expect(reach).toEqual({ roots: ['hosts', 'nix/fixture-lib.nix', 'packages/profiles/default.nix'] });
  });
});

describe('shared inputs by the scan', () => {
  let root: string;
  const write = (file: string, text = '{ }') => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-reach-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps a reached doc, another host\'s folder and a symlinked target as inputs, and still leaves out the rest', () => {
    write('flake.nix', '{ outputs = { self }: { x = import ./hosts/cx1/configuration.nix; }; }');
    write('hosts/cx1/host.json', '{}');
    write('hosts/cx1/configuration.nix', '{ a = import ../cx2/shared.nix; b = builtins.readFile ../../packages/profiles/motd.md; }');
    write('hosts/cx2/host.json', '{}');
    write('hosts/cx2/shared.nix');
    write('packages/profiles/motd.md', 'hi');
    write('docs/guide.md');
    write('README.md');
    symlinkSync('../docs/guide.md', join(root, 'packages', 'guide-link'));
    const tracked = trackedFiles(root);
    const excluded = provenExclusions(['docs/**', '**/*.md', 'hosts/*/*.nix'], tracked, workspaceReach(root, tracked));
    expect(excluded).toEqual(['README.md']);
    const inputs = sharedHostInputs(root, [], tracked);
    expect(inputs).toContain('{workspaceRoot}/hosts/**/*');
    expect(inputs).toContain('!{workspaceRoot}/README.md');
    expect(inputs).not.toContain('!{workspaceRoot}/docs/**');
  });

  it('leaves nothing out (but the plugin\'s dist) when one file is unsure', () => {
    write('flake.nix', '{ outputs = { self }: { src = "${self}"; }; }');
    write('docs/guide.md');
    write('README.md');
    const inputs = sharedHostInputs(root);
    expect(inputs.filter((i) => typeof i === 'string' && i.startsWith('!'))).toEqual(['!{workspaceRoot}/dist/**']);
  });
});
