import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fsReader, knownModules, knownProfiles, knownRoles, type DirReader } from './known-modules';

/** A workspace in memory, children listed in the order given (not sorted), like a Tree can. */
function memoryReader(files: Record<string, string>): DirReader {
  const paths = Object.keys(files);
  const isDir = (p: string) => paths.some((f) => f.startsWith(`${p}/`));
  return {
    exists: (p) => p in files || isDir(p),
    isFile: (p) => p in files,
    children: (p) => [...new Set(paths.filter((f) => f.startsWith(`${p}/`)).map((f) => f.slice(p.length + 1).split('/')[0]))],
    read: (p, _encoding) => files[p] ?? null,
  };
}

const profile = (attr: string) => `{ lib, ... }:\n{\n  options.profiles.${attr} = {\n    enable = lib.mkEnableOption "x";\n  };\n}\n`;
const P = 'packages/profiles';

describe('knownProfiles', () => {
  it('takes .nix files and folders that declare options.profiles.<their name>, sorted', () => {
    const r = memoryReader({
      [`${P}/gaming.nix`]: profile('gaming'),
      [`${P}/power-user/default.nix`]: profile('"power-user"'),
      [`${P}/desktop.nix`]: '{ options.profiles.desktop={ }; }',
      [`${P}/base.nix`]: 'options.profiles.base   =   {',
      [`${P}/server/default.nix`]: profile('server'),
      [`${P}/server/roles/web.nix`]: '{ }',
    });
    expect(knownProfiles(r)).toEqual(['base', 'desktop', 'gaming', 'power-user', 'server']);
  });

  it.each([
    ['the library itself', `${P}/default.nix`, profile('default')],
    ['lib/', `${P}/lib/default.nix`, profile('lib')],
    ['home/', `${P}/home/default.nix`, profile('home')],
    ['a hidden file', `${P}/.old.nix`, profile('".old"')],
    ['a file setting profiles.* options', `${P}/machine-type.nix`, '{ config.profiles.desktop.enable = true; options.profiles.machineType = lib.mkOption { }; }'],
    ['a file declaring another name', `${P}/extra.nix`, profile('other')],
    ['a file declaring a longer name', `${P}/dev.nix`, profile('devtools')],
    ['a file not ending in .nix', `${P}/notes.txt`, profile('notes')],
    ['an empty file', `${P}/empty.nix`, ''],
    ['a folder without default.nix', `${P}/wip/module.nix`, profile('wip')],
    ['a folder declaring another name', `${P}/tools/default.nix`, profile('toolbox')],
  ])('leaves out %s', (_what, path, text) => {
    expect(knownProfiles(memoryReader({ [`${P}/gaming.nix`]: profile('gaming'), [path]: text }))).toEqual(['gaming']);
  });
});

describe('knownRoles', () => {
  it('takes the .nix files of server/roles but default.nix, sorted', () => {
    const r = memoryReader({
      [`${P}/server/roles/web.nix`]: '{ }',
      [`${P}/server/roles/default.nix`]: '{ }',
      [`${P}/server/roles/README.md`]: '',
      [`${P}/server/roles/mail.nix/x`]: '',
      [`${P}/server/roles/database.nix`]: '{ }',
    });
    expect(knownRoles(r)).toEqual(['database', 'web']);
  });
});

describe('knownModules', () => {
  it('has nothing to check against in a workspace without a profile library', () => {
    expect(knownModules(memoryReader({ 'README.md': '' }))).toEqual({ profiles: undefined, roles: undefined });
    expect(knownModules(memoryReader({ [`${P}/default.nix`]: '{ }' }))).toEqual({ profiles: undefined, roles: undefined });
  });

  it('knows no roles yet when server/roles is there but empty of roles', () => {
    const r = memoryReader({ [`${P}/server/default.nix`]: profile('server'), [`${P}/server/roles/default.nix`]: '{ }' });
    expect(knownModules(r)).toEqual({ profiles: ['server'], roles: [] });
  });
});

describe('fsReader', () => {
  const root = mkdtempSync(join(tmpdir(), 'known-modules-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, P, 'server', 'roles'), { recursive: true });
  writeFileSync(join(root, P, 'desktop.nix'), profile('desktop'));
  writeFileSync(join(root, P, 'server', 'default.nix'), profile('server'));
  writeFileSync(join(root, P, 'server', 'roles', 'web.nix'), '{ }');

  it('reads a workspace on disk', () => {
    expect(knownModules(fsReader(root))).toEqual({ profiles: ['desktop', 'server'], roles: ['web'] });
  });

  it('answers for missing paths without throwing', () => {
    const r = fsReader(root);
    expect([r.exists(P), r.exists('nope'), r.isFile(`${P}/desktop.nix`), r.isFile(P), r.isFile('nope')]).toEqual([true, false, true, false, false]);
    expect([r.children('nope'), r.read('nope', 'utf-8'), r.read(`${P}/desktop.nix`, 'utf-8')]).toEqual([[], null, profile('desktop')]);
  });
});
