import { AggregateCreateNodesError, type CreateNodesContextV2 } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cachedReader, createNodesV2, NODES_GLOB } from './nodes';

const [glob, createNodesFn] = createNodesV2;
const PROFILES_FILE = 'packages/profiles/default.nix';

describe('createNodesV2', () => {
  let root: string;
  let context: CreateNodesContextV2;

  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'nodes-spec-'));
    context = { workspaceRoot: root, nxJsonConfiguration: {} };
    write('flake.nix', '{ outputs = _: { }; }');
    write('packages/profiles/default.nix', '{ }');
    write('lib/mk-host.nix', '{ }');
    write('hosts/ares/host.json', JSON.stringify({ type: 'laptop', system: 'x86_64-linux' }));
    write('hosts/web1/host.json', JSON.stringify({ type: 'server', system: 'x86_64-linux', roles: ['web'], deployment: { tags: ['homelab', 'role:web'] } }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('matches host.json files and the profile library', () => {
    expect(glob).toBe(NODES_GLOB);
    expect(NODES_GLOB).toBe('{hosts/*/host.json,packages/profiles/default.nix}');
  });

  it('points every target\'s help at its own options, under renamed targets too', async () => {
    const results = await createNodesFn(['hosts/web1/host.json'], { execTargetName: 'run-on' }, context);
    const targets = results[0][1].projects?.['hosts/web1']?.targets ?? {};
    for (const [name, t] of Object.entries(targets)) expect(t.metadata?.help?.command).toBe(`npx nx run web1:${name} --help`);
    expect(Object.keys(targets)).toContain('run-on');
  });

  it.each([
    ['stable', 'nixpkgs:stable', 'NixOS server db1 (aarch64-linux, nixpkgs stable)'],
    ['unstable', 'nixpkgs:unstable', 'NixOS server db1 (aarch64-linux, nixpkgs unstable)'],
  ])('tags a host with "nixpkgs": "%s" as %s and names the branch in its description', async (branch, tag, description) => {
    write('hosts/db1/host.json', JSON.stringify({ type: 'server', system: 'aarch64-linux', nixpkgs: branch, deployment: { tags: [tag] } }));
    const results = await createNodesFn(['hosts/db1/host.json'], {}, context);
    const db1 = results[0][1].projects?.['hosts/db1'];
    expect(db1?.tags).toEqual(['type:server', tag]);
    expect(db1?.metadata).toEqual({ description, technologies: ['nix'] });
    expect(db1?.projectType).toBe('application');
  });

  it('refuses a nixpkgs branch other than stable and unstable by the field and the allowed values', async () => {
    write('hosts/db1/host.json', JSON.stringify({ type: 'server', system: 'x86_64-linux', nixpkgs: 'nixos-24.05' }));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const results = await createNodesFn(['hosts/db1/host.json'], {}, context);
      expect(results[0][1].projects?.['hosts/db1']?.tags).toEqual(['nix-fleet:invalid']);
      expect(warn.mock.calls.flat().join('\n')).toContain('"nixpkgs" must be one of unstable, stable (got "nixos-24.05")');
    } finally {
      warn.mockRestore();
    }
  });

  it('turns host.json into a project with tags and its targets', async () => {
    const results = await createNodesFn(['hosts/web1/host.json', 'packages/profiles/default.nix'], {}, context);
    const web1 = results[0][1].projects?.['hosts/web1'];
    expect(web1?.name).toBe('web1');
    expect(web1?.tags).toEqual(['type:server', 'nixpkgs:unstable', 'role:web', 'homelab']);
    expect(Object.keys(web1?.targets ?? {})).toEqual(['eval', 'build', 'closure-size', 'deploy', 'rollback', 'generations', 'exec', 'install', 'detect-hardware', 'vm-build', 'vm']);
    // Day-two targets act on the machine as it is: never cached, nothing built first.
    for (const name of ['rollback', 'generations', 'exec']) {
      expect(web1?.targets?.[name]).toMatchObject({ executor: `@nix-fleet/nx:${name}`, options: { host: 'web1' }, cache: false, inputs: ['{projectRoot}/host.json'] });
      expect(web1?.targets?.[name].dependsOn).toBeUndefined();
    }
    // Only eval reads the workspace; the build is keyed by what eval found, closure-size by the build.
    expect(web1?.targets?.build).toMatchObject({
      dependsOn: ['eval'],
      cache: true,
      inputs: [{ dependentTasksOutputFiles: '**/toplevel.json', transitive: false }, { runtime: 'nix --version' }],
      outputs: ['{workspaceRoot}/dist/hosts/web1/build.json'],
    });
    expect(web1?.targets?.eval).toMatchInlineSnapshot(`
{
  "cache": true,
  "executor": "@nix-fleet/nx:eval",
  "inputs": [
    "{projectRoot}/**/*",
    "{workspaceRoot}/flake.nix",
    "{workspaceRoot}/hosts/*",
    "{workspaceRoot}/hosts/*/host.json",
    "{workspaceRoot}/lib/**/*",
    "{workspaceRoot}/packages/profiles/**/*",
    "!{workspaceRoot}/dist/**",
    "!{workspaceRoot}/docs/**",
    "!{workspaceRoot}/**/*.md",
    "!{workspaceRoot}/hosts/*/*.nix",
    "!{workspaceRoot}/hosts/*/*/**",
    "!{workspaceRoot}/packages/nix-fleet-plugin/**",
    {
      "runtime": "nix --version",
    },
  ],
  "metadata": {
    "description": "Evaluate the NixOS system of web1 to its derivation (one evaluation shared by the hosts of a run)",
    "help": {
      "command": "npx nx run web1:eval --help",
      "example": {
        "options": {
          "memoryPerHostMiB": 4096,
        },
      },
    },
    "technologies": [
      "nix",
    ],
  },
  "options": {
    "host": "web1",
  },
  "outputs": [
    "{workspaceRoot}/dist/hosts/web1/toplevel.json",
  ],
}
`);
    expect(web1?.targets?.['closure-size']).toMatchObject({
      dependsOn: ['build'],
      cache: true,
      inputs: [{ dependentTasksOutputFiles: '**/build.json', transitive: false }, '{projectRoot}/host.json', '{projectRoot}/closure-baseline.json', { runtime: 'nix --version' }],
      outputs: ['{workspaceRoot}/dist/hosts/web1/closure.json'],
    });
    expect(web1?.targets?.deploy).toMatchObject({ dependsOn: ['build'], cache: false });
    // `-p tag:nix:profiles` selects the library.
    expect(results[1][1].projects?.['packages/profiles']).toEqual({
      name: 'profiles',
      projectType: 'library',
      tags: ['nix:profiles'],
      metadata: { description: expect.stringMatching(/profile/), technologies: ['nix'] },
    });
  });

  it('takes target names, the flake location and extra inputs from plugin options', async () => {
    // The scan starts at the flake option's flake.nix: the root one, which it cannot follow, is not read.
    write('flake.nix', '{ outputs = { self }: { src = "${self}"; }; }');
    write('nix/flake.nix', '{ outputs = _: { }; }');
    const options = { evalTargetName: 'nix-eval', buildTargetName: 'nix-build', closureSizeTargetName: 'size', deployTargetName: 'ship', rollbackTargetName: 'back', generationsTargetName: 'gens', execTargetName: 'run', installTargetName: 'setup', detectHardwareTargetName: 'probe', vmTargetName: 'try', vmBuildTargetName: 'try-build', flake: 'nix', extraInputs: ['{workspaceRoot}/secrets/**'], excludeInputs: ['e2e/**'] };
    const results = await createNodesFn(['hosts/ares/host.json'], options, context);
    const targets = results[0][1].projects?.['hosts/ares']?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['nix-eval', 'nix-build', 'size', 'ship', 'back', 'gens', 'run', 'setup', 'probe', 'try-build', 'try']);
    expect(targets.size.dependsOn).toEqual(['nix-build']);
    expect(targets['nix-build'].dependsOn).toEqual(['nix-eval']);
    expect(targets['nix-build'].options).toEqual({ host: 'ares', flake: 'nix' });
    expect(targets['nix-eval'].options).toEqual({ host: 'ares', flake: 'nix' });
    expect(targets['nix-eval'].inputs).toEqual(expect.arrayContaining(['{workspaceRoot}/lib/**/*', '!{workspaceRoot}/docs/**', '!{workspaceRoot}/e2e/**', '{workspaceRoot}/secrets/**']));
  });

  it.each([
    ['invalid JSON', '{"type": "server",'],
    ['a wrong field', JSON.stringify({ type: 'toaster', system: 'x86_64-linux' })],
    ['an unknown role', JSON.stringify({ type: 'server', system: 'x86_64-linux', roles: ['mail'] })],
  ])('a host.json with %s breaks only its own host: the others are inferred, it is tagged invalid', async (_what, text) => {
    write('packages/profiles/server/roles/web.nix', '{ }');
    write('hosts/bad/host.json', text);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const results = await createNodesFn(['hosts/ares/host.json', 'hosts/bad/host.json'], {}, context);
    const projects = Object.assign({}, ...results.map(([, r]) => r.projects ?? {}));
    expect(projects['hosts/ares']).toMatchObject({ name: 'ares', tags: expect.arrayContaining(['type:laptop']) });
    expect(projects['hosts/bad']).toMatchObject({ name: 'bad', tags: ['nix-fleet:invalid'] });
    expect(Object.keys(projects['hosts/bad'].targets)).toEqual(['eval', 'build', 'closure-size', 'deploy', 'rollback', 'generations', 'exec', 'install', 'detect-hardware', 'vm-build', 'vm']);
    expect(projects['hosts/bad'].metadata.description).toBe('NixOS host bad: hosts/bad/host.json is invalid, its targets fail until it is fixed');
    expect(warn.mock.calls.flat().join('\n')).toContain('Invalid hosts/bad/host.json');
    warn.mockRestore();
  });

  it('makes a wave-1 deploy depend on the wave-0 deploys, reading all host files in one call', async () => {
    write('hosts/web1/host.json', JSON.stringify({ type: 'server', system: 'x86_64-linux', deployment: { wave: 1 } }));
    const results = await createNodesFn(['hosts/ares/host.json', 'hosts/web1/host.json'], {}, context);
    const deploy = (i: number) => Object.values(results[i][1].projects ?? {})[0].targets?.deploy;
    expect(deploy(0)).toMatchObject({ options: { host: 'ares' }, dependsOn: ['build'] });
    expect(deploy(1)).toMatchObject({
      options: { host: 'web1', waveOf: 'web1' },
      dependsOn: ['build', { target: 'deploy', projects: ['ares'], options: 'forward' }],
    });
  });

  it('reports an unknown role at graph time with the known ones', async () => {
    write('packages/profiles/server/roles/web.nix', '{ }');
    write('packages/profiles/server/roles/database.nix', '{ }');
    write('hosts/bad/host.json', JSON.stringify({ type: 'server', system: 'x86_64-linux', roles: ['mail'] }));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await createNodesFn(['hosts/bad/host.json'], {}, context);
    expect(warn.mock.calls.flat().join('\n')).toContain('"roles" has "mail", which packages/profiles does not define. Known roles: database, web. Fix the name, or create it with: nx g @nix-fleet/nx:server-role mail');
    warn.mockRestore();
  });

  it('hands Nx the files that failed with their errors and the results of the others', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // No workspace to list: every host's inputs fail; the profile library needs none.
      const gone = { ...context, workspaceRoot: join(root, 'gone') };
      const error = await Promise.resolve(createNodesFn(['hosts/ares/host.json', PROFILES_FILE, 'hosts/web1/host.json'], {}, gone)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AggregateCreateNodesError);
      const { errors, partialResults } = error as AggregateCreateNodesError;
      expect(errors.map(([file, e]) => [file, e.message])).toEqual([
        ['hosts/ares/host.json', expect.stringContaining('ENOENT')],
        ['hosts/web1/host.json', expect.stringContaining('ENOENT')],
      ]);
      expect(partialResults.map(([file]) => file)).toEqual([PROFILES_FILE]);
    } finally {
      warn.mockRestore();
    }
  });

  it.each([
    ['hosts/Bad_Name/host.json', '"Bad_Name" is not a valid host name'],
    ['hosts/profiles/host.json', '"profiles" is the name of another project'],
  ])('leaves out %s with a warning instead of failing the graph', async (file, message) => {
    write(file, JSON.stringify({ type: 'vm', system: 'x86_64-linux' }));
    write('hosts/ares/host.json', JSON.stringify({ type: 'laptop', system: 'x86_64-linux', deployment: { wave: 1 } }));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const results = await createNodesFn([file, 'hosts/ares/host.json', PROFILES_FILE], {}, context);
    expect(results.map(([f, r]) => [f, Object.values(r.projects ?? {}).map((p) => p.name)])).toEqual([
      [file, []],
      ['hosts/ares/host.json', ['ares']],
      [PROFILES_FILE, ['profiles']],
    ]);
    // A folder left out is in no wave: no deploy waits for a project that does not exist.
    expect(results[1][1].projects?.['hosts/ares']?.targets?.deploy.dependsOn).toEqual(['build']);
    expect(warn.mock.calls.flat().join('\n')).toContain(`${message}. Rename the folder (lowercase letters, digits and "-", RFC 1123), e.g. hosts/web-1.`);
    warn.mockRestore();
  });
});

describe('cachedReader', () => {
  it('reads each file from disk once, so the waves and the host see one text', () => {
    const root = mkdtempSync(join(tmpdir(), 'cached-reader-'));
    try {
      writeFileSync(join(root, 'a.json'), 'first');
      const read = cachedReader(root);
      expect(read('a.json')).toBe('first');
      writeFileSync(join(root, 'a.json'), 'second');
      expect(read('a.json')).toBe('first');
      expect(cachedReader(root)('a.json')).toBe('second');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
