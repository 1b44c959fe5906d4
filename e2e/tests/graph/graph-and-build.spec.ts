// The project graph, the build target and its cache, with the real nx CLI and real nix.
import { existsSync, readFileSync, writeFileSync, appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixtureFleet } from '../../support/fixture-fleet';
import { createNixCounter, evaluatedHosts } from '../../support/nix-counter';
import { createWorkspace, type Workspace } from '../../support/workspace';

const HOSTS = ['ares', 'web1', 'db1'];

describe('graph and build on a fixture fleet', () => {
  let ws: Workspace;
  const counter = createNixCounter();

  beforeAll(() => {
    ws = createWorkspace('nix-fleet-graph-');
    writeFixtureFleet(ws.root, [
      { name: 'ares', type: 'laptop', tags: ['personal'] },
      { name: 'web1', roles: ['web', 'monitoring'] },
      { name: 'db1', roles: ['database'] },
    ]);
    ws.commit('fixture fleet');
  });
  afterAll(() => ws.remove());

  const affected = () =>
    ws.nx(['show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--json']).stdout.trim();
  const affectedBy = (file: string, change: (path: string) => void) => {
    const path = join(ws.root, file);
    mkdirSync(join(path, '..'), { recursive: true });
    change(path);
    ws.commit(`touch ${file}`);
    return (JSON.parse(affected()) as string[]).sort();
  };

  it('lists every host and the profile library as projects', () => {
    const projects = JSON.parse(ws.nx(['show', 'projects', '--json']).stdout) as string[];
    expect(projects.sort()).toEqual(['ares', 'db1', 'profiles', 'web1']);
  });

  it('infers the targets with inputs, outputs, metadata and tags', () => {
    const web1 = JSON.parse(ws.nx(['show', 'project', 'web1', '--json']).stdout);
    expect(web1.tags).toEqual(['type:server', 'nixpkgs:unstable', 'role:web', 'role:monitoring']);
    expect(Object.keys(web1.targets).sort()).toEqual(['build', 'closure-size', 'deploy', 'detect-hardware', 'eval', 'exec', 'generations', 'install', 'rollback', 'vm', 'vm-build']);
    for (const target of ['eval', 'deploy']) {
      expect(web1.targets[target].inputs).toEqual(
        expect.arrayContaining(['{projectRoot}/**/*', '{workspaceRoot}/flake.nix', '{workspaceRoot}/nix/**/*', '{workspaceRoot}/packages/profiles/**/*', '!{workspaceRoot}/docs/**', '!{workspaceRoot}/**/*.md', '{workspaceRoot}/hosts/**/*', { runtime: 'nix --version' }]),
      );
      expect(web1.targets[target].metadata).toMatchObject({ technologies: ['nix'], description: expect.stringContaining('web1') });
    }
    // The build is keyed by what eval found (the drvPath), closure-size by the build record.
    expect(web1.targets.eval.outputs).toEqual(['{workspaceRoot}/dist/hosts/web1/toplevel.json']);
    expect(web1.targets.build).toMatchObject({ dependsOn: ['eval'], inputs: [{ dependentTasksOutputFiles: '**/toplevel.json', transitive: false }, { runtime: 'nix --version' }] });
    expect(web1.targets.build.outputs).toEqual(['{workspaceRoot}/dist/hosts/web1/build.json']);
    expect(web1.targets['closure-size'].inputs[0]).toEqual({ dependentTasksOutputFiles: '**/build.json', transitive: false });
    expect(web1.targets.deploy.cache).toBe(false);
    // Day-two targets read only host.json and are never cached.
    for (const target of ['rollback', 'generations', 'exec']) {
      expect(web1.targets[target]).toMatchObject({ executor: `@nix-fleet/nx:${target}`, cache: false, inputs: ['{projectRoot}/host.json'] });
      expect(web1.targets[target].metadata).toMatchObject({ technologies: ['nix'], description: expect.stringContaining('web1') });
    }
    // A machine's first day: install builds first and is never cached; the VM build is cached like build.
    expect(web1.targets.install).toMatchObject({ executor: '@nix-fleet/nx:install', dependsOn: ['build'], cache: false });
    expect(web1.targets['detect-hardware']).toMatchObject({ executor: '@nix-fleet/nx:install', options: { generateHardwareConfig: true }, cache: false });
    expect(web1.targets['detect-hardware'].dependsOn).toBeUndefined();
    expect(web1.targets['vm-build']).toMatchObject({ executor: '@nix-fleet/nx:vm', cache: true, outputs: ['{workspaceRoot}/dist/hosts/web1/vm.json'] });
    expect(web1.targets.vm).toMatchObject({ executor: '@nix-fleet/nx:vm', dependsOn: ['vm-build'], cache: false });
    const ares = JSON.parse(ws.nx(['show', 'project', 'ares', '--json']).stdout);
    expect(ares.tags).toEqual(['type:laptop', 'nixpkgs:unstable', 'personal']);
  });

  it('makes every host depend on the profiles project', () => {
    const graphFile = join(ws.root, 'dist', 'graph.json');
    ws.nx(['graph', `--file=${graphFile}`]);
    const deps = JSON.parse(readFileSync(graphFile, 'utf-8')).graph.dependencies;
    for (const host of HOSTS) expect(deps[host]).toEqual([expect.objectContaining({ target: 'profiles' })]);
  });

  // The build batch (the default): one `nix build` of every host's derivation, then each host's
  // GC root as a `nix build` of its system, which is built already (nothing evaluated or built).
  const expectEveryHostBuiltOnce = () => {
    const builds = counter.calls().filter((c) => c.startsWith('build '));
    const byDrv = builds.filter((c) => c.includes('.drv'));
    expect(byDrv).toHaveLength(1);
    for (const host of HOSTS) expect(byDrv[0]).toContain(`-nixos-system-${host}.drv`);
    expect(builds.filter((c) => !c.includes('.drv')).map((c) => c.split(' ').slice(2).join(' ')).sort()).toEqual(HOSTS.map((h) => `--out-link dist/hosts/${h}/system`).sort());
  };

  it('builds every host with real nix and records an existing outPath', () => {
    counter.reset();
    const out = ws.nx(['run-many', '-t', 'build', '--output-style=stream'], { env: counter.env }).stdout;
    expect(out).toContain('Successfully ran target build for 3 projects');
    expectEveryHostBuiltOnce();
    for (const host of HOSTS) {
      const record = JSON.parse(readFileSync(join(ws.root, 'dist/hosts', host, 'build.json'), 'utf-8'));
      expect(record).toMatchObject({ host, system: 'x86_64-linux', nixVersion: expect.stringMatching(/^2\./) });
      expect(record.outPath).toMatch(new RegExp(`^/nix/store/[a-z0-9]{32}-nixos-system-${host}$`));
      expect(existsSync(record.outPath)).toBe(true);
      expect(existsSync(record.drvPath)).toBe(true);
    }
  });

  it('serves a second build entirely from the Nx cache, spawning no nix build or eval', () => {
    counter.reset();
    const out = ws.nx(['run-many', '-t', 'build', '--output-style=stream'], { env: counter.env }).stdout;
    expect(out).toMatch(/Nx read the output from the cache instead of running the command for 6 out of 6 tasks/);
    expect(counter.count('build', 'eval', 'path-info', 'copy')).toBe(0);
  });

  it('marks every host affected when one host\'s configuration changes: the flake hands ./hosts to its library, so no host folder is proven out of reach', () => {
    expect(affectedBy('hosts/web1/configuration.nix', (p) => appendFileSync(p, '# tuned\n'))).toEqual(['ares', 'db1', 'web1']);
  });

  it('marks every host affected when a profile or the flake lock changes', () => {
    expect(affectedBy('packages/profiles/default.nix', (p) => appendFileSync(p, '# more\n'))).toEqual(['ares', 'db1', 'profiles', 'web1']);
    expect(affectedBy('flake.lock', (p) => writeFileSync(p, '{"nodes":{"root":{}},"root":"root","version":7}\n'))).toEqual(['ares', 'db1', 'web1']);
  });

  it('marks every host affected when other Nix the flake imports changes', () => {
    expect(affectedBy('nix/fixture-lib.nix', (p) => appendFileSync(p, '# note\n'))).toEqual(['ares', 'db1', 'web1']);
  });

  it('marks every host affected when any host.json changes: the flake gives each host the whole inventory', () => {
    expect(affectedBy('hosts/db1/host.json', (p) => writeFileSync(p, JSON.stringify({ type: 'server', system: 'x86_64-linux', roles: ['database', 'backup'] })))).toEqual(['ares', 'db1', 'web1']);
  });

  it.each(['nix/a/b/c/d/e/x.nix', 'secrets/web1.yaml', '.sops.yaml', 'tmp/overlay.nix', 'dist-tools/x.nix'])(
    'marks every host affected when %s changes: every tracked file outside the exclusions is an input',
    (file) => {
      expect(affectedBy(file, (p) => appendFileSync(p, '# change\n'))).toEqual(['ares', 'db1', 'web1']);
    },
  );

  it('marks every host affected when shared Nix in a folder of hosts/ that is no host changes', () => {
    expect(affectedBy('hosts/common/pkgs.nix', (p) => appendFileSync(p, '# shared\n'))).toEqual(['ares', 'db1', 'web1']);
  });

  it('marks every host affected when a host\'s own other files change, for the same reason', () => {
    expect(affectedBy('hosts/ares/hardware-configuration.nix', (p) => appendFileSync(p, '# disk\n'))).toEqual(['ares', 'db1', 'web1']);
    expect(affectedBy('hosts/ares/modules/wifi.nix', (p) => appendFileSync(p, '# ssid\n'))).toEqual(['ares', 'db1', 'web1']);
  });

  it('a change four folders deep gives a new system, not a stale cache hit', () => {
    const deep = join(ws.root, 'modules/a/b/c/d/e/switch.nix');
    mkdirSync(join(deep, '..'), { recursive: true });
    writeFileSync(deep, '"#!/bin/sh\\necho one $1\\n"\n');
    const conf = join(ws.root, 'hosts/db1/configuration.nix');
    writeFileSync(conf, readFileSync(conf, 'utf-8').replace(/}\s*$/, '  switchScript = import ../../modules/a/b/c/d/e/switch.nix;\n}\n'));
    ws.commit('db1 takes its switch script from deep down');
    ws.nx(['run', 'db1:build']);
    const first = JSON.parse(readFileSync(join(ws.root, 'dist/hosts/db1/build.json'), 'utf-8')).outPath;
    writeFileSync(deep, '"#!/bin/sh\\necho two $1\\n"\n');
    ws.commit('the deep file changes');
    const r = ws.nx(['run', 'db1:build']);
    expect(r.stdout + r.stderr).not.toContain('read the output from the cache');
    const second = JSON.parse(readFileSync(join(ws.root, 'dist/hosts/db1/build.json'), 'utf-8')).outPath;
    expect(second).not.toBe(first);
    expect(readFileSync(join(second, 'bin/switch-to-configuration'), 'utf-8')).toContain('echo two');
  });

  it('marks no project affected when only docs change', () => {
    expect(affectedBy('docs/notes.md', (p) => writeFileSync(p, '# notes\n'))).toEqual([]);
    expect(affectedBy('README.md', (p) => writeFileSync(p, '# Fleet\n'))).toEqual([]);
  });

  it('evaluates every host once (a host folder is every host\'s input) but rebuilds none when a change leaves the systems as they were', () => {
    appendFileSync(join(ws.root, 'hosts/db1/configuration.nix'), '# resized\n');
    ws.commit('touch db1');
    counter.reset();
    const r = ws.nx(['affected', '-t', 'build', '--base=HEAD~1', '--head=HEAD'], { env: counter.env });
    expect(evaluatedHosts(counter.calls()).sort()).toEqual([...HOSTS].sort());
    expect(counter.count('build')).toBe(0);
    expect(r.stdout).toContain('nix-fleet: 3 hosts affected, 0 systems changed, 3 as before; 3 evaluated');
  });

  it('rebuilds only what changed: one host after its configuration changed its system', () => {
    const conf = join(ws.root, 'hosts/db1/configuration.nix');
    writeFileSync(conf, readFileSync(conf, 'utf-8').replace(/version = "[^"]*"/, 'version = "9.9"'));
    ws.commit('db1 gets a new app');
    counter.reset();
    const r = ws.nx(['affected', '-t', 'build', '--base=HEAD~1', '--head=HEAD'], { env: counter.env });
    const drv = JSON.parse(readFileSync(join(ws.root, 'dist/hosts/db1/toplevel.json'), 'utf-8')).drvPath;
    expect(counter.calls().filter((c) => c.startsWith('build'))).toEqual([expect.stringContaining(drv)]);
    expect(r.stdout).toContain('nix-fleet: 3 hosts affected, 1 system changed');
  });

  it('builds only the host that changed, each host evaluated once, even when this machine remembers no evaluation (a fresh CI runner)', () => {
    ws.nx(['run-many', '-t', 'build']);
    rmSync(join(ws.root, '.nx/nix-fleet'), { recursive: true, force: true });
    const conf = join(ws.root, 'hosts/web1/configuration.nix');
    writeFileSync(conf, readFileSync(conf, 'utf-8').replace(/version = "[^"]*"/, 'version = "7.7"'));
    ws.commit('web1 gets a new app');
    counter.reset();
    const r = ws.nx(['run-many', '-t', 'build'], { env: counter.env });
    expect(evaluatedHosts(counter.calls()).sort()).toEqual([...HOSTS].sort());
    expect(counter.calls().filter((c) => c.startsWith('build '))).toHaveLength(1);
    expect(r.stdout).toContain('nix-fleet: 3 hosts affected, 1 system changed, 2 as before; 3 evaluated');
  });

  it('--skip-nx-cache evaluates and builds again, and reports the same systems as unchanged', () => {
    counter.reset();
    const r = ws.nx(['run-many', '-t', 'build', '--skip-nx-cache'], { env: counter.env });
    expect(evaluatedHosts(counter.calls()).sort()).toEqual([...HOSTS].sort());
    expectEveryHostBuiltOnce();
    expect(r.stdout).toContain('nix-fleet: 3 hosts affected, 0 systems changed, 3 as before; 3 evaluated');
  });

  it('refuses --host naming another host than the project: its cache key is the project\'s', () => {
    const r = ws.nx(['run', 'ares:build', '--host=web1', '--skip-nx-cache'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('--host=web1 names another host than the project ares: the task is cached under ares\'s evaluation. Run "nx run web1:build" instead.');
  });

  it.each([
    ['a wrong field', JSON.stringify({ type: 'toaster', system: 'x86_64-linux' }), '"type" must be one of laptop, desktop, server, vm (got "toaster")'],
    ['invalid JSON', '{ "type": "laptop", ', 'not valid JSON'],
  ])('one host.json with %s fails only its own targets: the graph and the other hosts keep working', (_what, text, message) => {
    const file = join(ws.root, 'hosts/ares/host.json');
    const good = readFileSync(file, 'utf-8');
    writeFileSync(file, text);
    try {
      const projects = JSON.parse(ws.nx(['show', 'projects', '--json']).stdout) as string[];
      expect(projects.sort()).toEqual(['ares', 'db1', 'profiles', 'web1']);
      expect(JSON.parse(ws.nx(['show', 'project', 'ares', '--json']).stdout).tags).toEqual(['nix-fleet:invalid']);
      expect(ws.nx(['run', 'web1:build']).status).toBe(0);
      const bad = ws.nx(['run', 'ares:build', '--skip-nx-cache'], { allowFailure: true });
      expect(bad.status).not.toBe(0);
      const output = bad.stdout + bad.stderr;
      expect(output).toContain('Invalid hosts/ares/host.json');
      expect(output).toContain(message);
      expect(output).toContain('See the host.json reference in docs/reference/host-json.md.');
      expect(output).not.toContain('> nix build');
    } finally {
      writeFileSync(file, good);
    }
  });
});
