// A host's targets against what their executors take: the flake, the help, the order of tasks.
import type { TargetConfiguration } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeOptions } from './options';
import { hostTargetsFactory } from './targets';

interface Schema {
  properties: Record<string, { type: string | string[] }>;
}
const schemaOf = (t: TargetConfiguration): Schema => {
  const [plugin, executor] = (t.executor ?? '').split(':');
  expect(plugin).toBe('@nix-fleet/nx');
  return JSON.parse(readFileSync(join(__dirname, '..', 'executors', executor, 'schema.json'), 'utf-8'));
};
const jsonType = (v: unknown) => (Number.isInteger(v) ? ['integer', 'number'] : [Array.isArray(v) ? 'array' : typeof v]);

const targetsOf = (host: string, options = {}) => hostTargetsFactory([], normalizeOptions(options))(host);

describe('host targets', () => {
  it('hands the plugin\'s flake to every target whose executor takes one, and no flake when it is the default', () => {
    const withFlake = targetsOf('web1', { flake: 'nix' });
    const takers = Object.entries(withFlake).filter(([, t]) => 'flake' in schemaOf(t).properties).map(([name]) => name);
    expect(takers).toEqual(expect.arrayContaining(['eval', 'build', 'closure-size', 'deploy', 'install', 'detect-hardware', 'vm-build', 'vm']));
    for (const [name, t] of Object.entries(withFlake)) expect([name, t.options?.flake]).toEqual([name, takers.includes(name) ? 'nix' : undefined]);
    for (const t of Object.values(targetsOf('web1'))) expect(t.options).not.toHaveProperty('flake');
  });

  it('gives each executor only options its schema has, with their types, in the target and in its help example', () => {
    for (const [name, t] of Object.entries(targetsOf('web1', { flake: 'nix' }))) {
      const { properties } = schemaOf(t);
      const example = t.metadata?.help?.example?.options ?? {};
      for (const [option, value] of Object.entries({ ...t.options, ...example })) {
        expect([name, option, properties[option]?.type]).toEqual([name, option, expect.anything()]);
        expect(jsonType(value).some((type) => [properties[option].type].flat().includes(type))).toBe(true);
      }
    }
  });

  it('shows in every help an example option the target does not set already (vm-build has none left)', () => {
    for (const [name, t] of Object.entries(targetsOf('web1'))) {
      const shown = Object.keys(t.metadata?.help?.example?.options ?? {}).filter((o) => !(o in (t.options ?? {})));
      expect([name, shown.length > 0]).toEqual([name, name !== 'vm-build']);
    }
  });

  it('describes every target by the host it acts on, as a Nix target', () => {
    for (const t of Object.values(targetsOf('db-2'))) {
      expect(t.metadata?.description).toContain('db-2');
      expect(t.metadata?.technologies).toEqual(['nix']);
    }
  });

  it('builds before an install, never before detect-hardware, and starts only the VM it built', () => {
    const t = targetsOf('web1', { installTargetName: 'setup', buildTargetName: 'nix-build', vmBuildTargetName: 'try-build', vmTargetName: 'try' });
    // A wipe and a start are never replayed from a cache; the VM's build is, like the build.
    expect(t.setup).toMatchObject({ executor: '@nix-fleet/nx:install', options: { host: 'web1' }, dependsOn: ['nix-build'], cache: false });
    expect(t.setup.options).not.toHaveProperty('generateHardwareConfig');
    expect(t['detect-hardware']).toMatchObject({ options: { host: 'web1', generateHardwareConfig: true }, cache: false });
    expect(t['detect-hardware'].dependsOn).toBeUndefined();
    expect(t['try-build']).toMatchObject({ executor: '@nix-fleet/nx:vm', options: { host: 'web1', start: false }, cache: true, outputs: ['{workspaceRoot}/dist/hosts/web1/vm.json'] });
    expect(t['try-build'].dependsOn).toBeUndefined();
    expect(t.try).toMatchObject({ executor: '@nix-fleet/nx:vm', options: { host: 'web1', start: true }, dependsOn: ['try-build'], cache: false });
  });

  it('hashes every file of the workspace the eval does for the deploy and the first-day targets', () => {
    const t = hostTargetsFactory(['{workspaceRoot}/flake.nix'], normalizeOptions({ extraInputs: ['{workspaceRoot}/secrets/**'] }))('web1');
    const inputs = ['{projectRoot}/**/*', '{workspaceRoot}/flake.nix', '{workspaceRoot}/secrets/**', { runtime: 'nix --version' }];
    for (const name of ['eval', 'deploy', 'install', 'detect-hardware', 'vm-build', 'vm']) expect([name, t[name].inputs]).toEqual([name, inputs]);
  });

  it('gives each host its own input list', () => {
    const targets = hostTargetsFactory(['{workspaceRoot}/flake.nix'], normalizeOptions({}));
    const a = targets('a');
    (a.eval.inputs as unknown[]).push('{workspaceRoot}/only-a');
    expect(targets('b').eval.inputs).not.toContain('{workspaceRoot}/only-a');
  });
});
