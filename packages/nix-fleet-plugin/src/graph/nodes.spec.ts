import type { CreateNodesContextV2 } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createNodesV2, NODES_GLOB } from './nodes';

const [glob, createNodesFn] = createNodesV2;

/** Nx collects per-file failures in an AggregateCreateNodesError: [file, error] pairs. */
async function failureOf(promise: unknown): Promise<{ text: string; partial: unknown }> {
  try {
    await promise;
  } catch (e) {
    const errors = ((e as { errors?: Array<[string, Error]> }).errors ?? []).map(([file, err]) => `${file}: ${err.message}`);
    return { text: errors.join('\n'), partial: (e as { partialResults?: unknown }).partialResults };
  }
  throw new Error('expected createNodes to fail');
}

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

  it('turns host.json into a project with tags and the three targets', async () => {
    const results = await createNodesFn(['hosts/web1/host.json', 'packages/profiles/default.nix'], {}, context);
    const web1 = results[0][1].projects?.['hosts/web1'];
    expect(web1?.name).toBe('web1');
    expect(web1?.tags).toEqual(['type:server', 'role:web', 'homelab']);
    expect(Object.keys(web1?.targets ?? {})).toEqual(['build', 'closure-size', 'deploy']);
    expect(web1?.targets?.build).toMatchInlineSnapshot(`
{
  "cache": true,
  "executor": "@nix-fleet/nx:build",
  "inputs": [
    "{projectRoot}/**/*",
    "{workspaceRoot}/flake.lock",
    "{workspaceRoot}/flake.nix",
    "{workspaceRoot}/hosts/*/host.json",
    "{workspaceRoot}/lib/**/*.nix",
    "{workspaceRoot}/packages/profiles/**/*",
    {
      "runtime": "nix --version",
    },
  ],
  "metadata": {
    "description": "Build the NixOS system of web1 (nix build of its toplevel)",
    "help": {
      "command": "npx nx run web1:build --help",
      "example": {
        "options": {
          "dryRun": true,
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
    "{workspaceRoot}/dist/hosts/web1/build.json",
  ],
}
`);
    expect(web1?.targets?.['closure-size']).toMatchObject({ dependsOn: ['build'], cache: true, outputs: ['{workspaceRoot}/dist/hosts/web1/closure.json'] });
    expect(web1?.targets?.deploy).toMatchObject({ dependsOn: ['build'], cache: false });
    expect(results[1][1].projects?.['packages/profiles']).toMatchObject({ name: 'profiles', projectType: 'library' });
  });

  it('takes target names, the flake location and extra inputs from plugin options', async () => {
    const options = { buildTargetName: 'nix-build', closureSizeTargetName: 'size', deployTargetName: 'ship', flake: 'nix', extraInputs: ['{workspaceRoot}/secrets/**'] };
    const results = await createNodesFn(['hosts/ares/host.json'], options, context);
    const targets = results[0][1].projects?.['hosts/ares']?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['nix-build', 'size', 'ship']);
    expect(targets.size.dependsOn).toEqual(['nix-build']);
    expect(targets['nix-build'].options).toEqual({ host: 'ares', flake: 'nix' });
    expect(targets['nix-build'].inputs).toEqual(expect.arrayContaining(['{workspaceRoot}/nix/flake.nix', '{workspaceRoot}/nix/flake.lock', '{workspaceRoot}/secrets/**']));
  });

  it('fails on a bad host.json naming the file, the field and what is allowed', async () => {
    write('hosts/bad/host.json', JSON.stringify({ type: 'toaster', system: 'x86_64-linux' }));
    const { text, partial } = await failureOf(createNodesFn(['hosts/ares/host.json', 'hosts/bad/host.json'], {}, context));
    expect(text).toContain('hosts/bad/host.json: Invalid hosts/bad/host.json');
    expect(text).toContain('"type" must be one of laptop, desktop, server, vm (got "toaster")');
    // The good hosts are still inferred; Nx reports the bad file instead of dropping the graph.
    expect(JSON.stringify(partial)).toContain('"name":"ares"');
  });

  it('rejects a host folder that is not a valid host name', async () => {
    write('hosts/Bad_Name/host.json', JSON.stringify({ type: 'vm', system: 'x86_64-linux' }));
    const { text } = await failureOf(createNodesFn(['hosts/Bad_Name/host.json'], {}, context));
    expect(text).toMatch(/"Bad_Name" is not a valid host name/);
  });
});
