// Which eval task's hash keys a host's proof, found through the task graph; which eval tasks a
// shared evaluation covers. Graphs are listed out of order, with other hosts' tasks in the way.
import type { ExecutorContext, Task, TaskGraph } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { cacheDir } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INVALID_TAG } from '../constants';
import { resetSourceKeys, sourceKey } from '../git/source-key';
import { checkOwnHost, EVAL_EXECUTOR, evalHashOf, evalPeers, ownTaskHash } from './task-hash';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'task-hash-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root });
  git('init', '-q');
  writeFileSync(join(root, 'flake.nix'), '{ }');
  git('add', 'flake.nix');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'init');
  resetSourceKeys();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const task = (project: string, target: string, hash: string, overrides: Record<string, unknown> = {}, configuration?: string): Task =>
  ({ id: `${project}:${target}${configuration ? `:${configuration}` : ''}`, target: { project, target, configuration }, hash, overrides, outputs: [], parallelism: true }) as unknown as Task;

function graph(tasks: Task[], dependencies: Record<string, string[]>): TaskGraph {
  return { roots: [], tasks: Object.fromEntries(tasks.map((t) => [t.id, t])), dependencies, continuousDependencies: {} } as unknown as TaskGraph;
}

const hostTargets = (evalOptions: Record<string, unknown> = {}) => ({
  eval: { executor: EVAL_EXECUTOR, options: evalOptions, configurations: { other: { flake: './other' } } },
  build: { executor: '@nix-fleet/nx:build' },
  deploy: { executor: '@nix-fleet/nx:deploy' },
});

function context(projectName: string, targetName: string, g: TaskGraph, projects: Record<string, unknown> = {}, configurationName?: string): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName,
    targetName,
    configurationName,
    taskGraph: g,
    projectsConfigurations: { version: 2, projects: { web1: { root: 'hosts/web1', targets: hostTargets() }, web2: { root: 'hosts/web2', targets: hostTargets() }, ...projects } },
  } as unknown as ExecutorContext;
}

const key = (hash: string) => `${hash}-${sourceKey(root)}`;

describe('evalHashOf', () => {
  // web2's eval comes first and web1's build also depends on web2's eval: neither may be taken for web1's.
  const tasks = [task('web2', 'eval', 'h-web2-eval'), task('web1', 'deploy', 'h-web1-deploy'), task('web1', 'build', 'h-web1-build'), task('web1', 'eval', 'h-web1-eval')];
  const deps = { 'web1:deploy': ['web2:eval', 'web1:build'], 'web1:build': ['web2:eval', 'web1:eval'], 'web1:eval': [], 'web2:eval': [] };

  it('follows the graph from the running task to its own host\'s eval, through the build', () => {
    expect(sourceKey(root)).toMatch(/^[0-9a-f]{32}$/);
    expect(evalHashOf(context('web1', 'deploy', graph(tasks, deps)), 'web1')).toBe(key('h-web1-eval'));
    expect(evalHashOf(context('web1', 'build', graph(tasks, deps)), 'web1')).toBe(key('h-web1-eval'));
    expect(evalHashOf(context('web1', 'eval', graph(tasks, deps)), 'web1')).toBe(key('h-web1-eval'));
    expect(evalHashOf(context('web2', 'eval', graph(tasks, deps)), 'web2')).toBe(key('h-web2-eval'));
  });

  it('passes over a dependency that is not in the graph', () => {
    const g = graph([task('web1', 'build', 'hb'), task('web1', 'eval', 'he')], { 'web1:build': ['web1:lint', 'web1:eval'] });
    expect(evalHashOf(context('web1', 'build', g), 'web1')).toBe(key('he'));
  });

  it('never takes another host\'s eval, even when that is the only one in reach', () => {
    const only = { 'web1:build': ['web2:eval'], 'web2:eval': [] };
    expect(evalHashOf(context('web1', 'build', graph([task('web2', 'eval', 'h2'), task('web1', 'build', 'h1')], only)), 'web1')).toBeUndefined();
  });

  it('is undefined for --host naming another host, an eval run for another host, no graph, or a cycle without an eval', () => {
    expect(evalHashOf(context('web1', 'build', graph(tasks, deps)), 'web2')).toBeUndefined();
    const foreignEval = [task('web1', 'build', 'h1'), task('web1', 'eval', 'h1e', { host: 'web2' })];
    expect(evalHashOf(context('web1', 'build', graph(foreignEval, { 'web1:build': ['web1:eval'] })), 'web1')).toBeUndefined();
    expect(evalHashOf({ ...context('web1', 'build', graph(tasks, deps)), taskGraph: undefined }, 'web1')).toBeUndefined();
    const cycle = { 'web1:build': ['web1:deploy'], 'web1:deploy': ['web1:build'] };
    expect(evalHashOf(context('web1', 'build', graph([task('web1', 'build', 'a'), task('web1', 'deploy', 'b')], cycle)), 'web1')).toBeUndefined();
  });

  it('the running task is the one of its configuration', () => {
    const both = [task('web1', 'eval', 'plain'), task('web1', 'eval', 'other-conf', {}, 'other')];
    expect(ownTaskHash(context('web1', 'eval', graph(both, {}), {}, 'other'))).toBe('other-conf');
    expect(ownTaskHash(context('web1', 'eval', graph(both, {})))).toBe('plain');
  });

  it('a flake outside the workspace has no proof key (its source is not this work tree)', () => {
    const g = graph([task('web1', 'eval', 'h', { flake: 'github:x/y' })], {});
    expect(evalHashOf(context('web1', 'eval', g), 'web1')).toBeUndefined();
  });
});

describe('evalPeers', () => {
  it('every eval task of the run for this flake, and only those', () => {
    const projects = {
      broken: { root: 'hosts/broken', tags: [INVALID_TAG], targets: hostTargets() },
      Bad_Name: { root: 'hosts/Bad_Name', targets: hostTargets() },
      big: { root: 'hosts/big', targets: hostTargets({ memoryPerHostMiB: 8192 }) },
      other: { root: 'hosts/other', targets: hostTargets({ flake: './elsewhere' }) },
    };
    const g = graph(
      [
        task('web2', 'eval', 'h2'),
        task('web2', 'build', 'h2b'),
        task('broken', 'eval', 'hb'),
        task('Bad_Name', 'eval', 'hx'),
        task('big', 'eval', 'hbig'),
        task('other', 'eval', 'ho'),
        task('web1', 'eval', 'h1', { host: 'web2' }),
      ],
      {},
    );
    expect(evalPeers(context('web2', 'build', g, projects), '.')).toEqual([
      { host: 'web2', key: key('h2') },
      { host: 'big', key: key('hbig'), memoryPerHostMiB: 8192 },
    ]);
    expect(evalPeers(context('web2', 'build', g, projects), './elsewhere').map((p) => p.host)).toEqual(['other']);
  });
});

describe('the options an eval task runs with: its target\'s, then its configuration\'s, then the command line\'s', () => {
  const remote = { web1: { root: 'hosts/web1', targets: { ...hostTargets(), eval: { executor: EVAL_EXECUTOR, options: {}, configurations: { remote: { flake: 'github:x/y' } } } } } };
  const evalOf = (t: Task) => evalHashOf(context('web1', 'eval', graph([t], {}), remote, t.target.configuration), 'web1');

  it('a configuration that points the flake outside the workspace has no proof key; the command line can point it back', () => {
    expect(evalOf(task('web1', 'eval', 'h'))).toBe(key('h'));
    expect(evalOf(task('web1', 'eval', 'h', {}, 'remote'))).toBeUndefined();
    expect(evalOf(task('web1', 'eval', 'h', { flake: '.' }, 'remote'))).toBe(key('h'));
  });

  it('evalPeers counts a task under the flake of its configuration', () => {
    const g = graph([task('web1', 'eval', 'h1', {}, 'other'), task('web2', 'eval', 'h2')], {});
    expect(evalPeers(context('web2', 'build', g), './other')).toEqual([{ host: 'web1', key: key('h1') }]);
    expect(evalPeers(context('web2', 'build', g), '.')).toEqual([{ host: 'web2', key: key('h2') }]);
  });
});

describe('evalPeers of the tasks Nx will run', () => {
  const hash = `nix-fleet-spec-${process.pid}`;
  beforeAll(() => {
    mkdirSync(join(cacheDir, hash), { recursive: true });
  });
  afterAll(() => {
    rmSync(join(cacheDir, hash), { recursive: true, force: true });
    delete process.env.NX_SKIP_NX_CACHE;
  });

  it('leaves out a task in the local Nx cache (a hit, not evaluated), unless the run skips the cache', () => {
    const g = graph([task('web1', 'eval', hash), task('web2', 'eval', 'not-cached')], {});
    const hosts = (willRun?: boolean) => evalPeers(context('web2', 'eval', g), '.', willRun === undefined ? undefined : { willRun }).map((p) => p.host);
    expect(hosts(true)).toEqual(['web2']);
    expect(hosts(false)).toEqual(['web1', 'web2']);
    expect(hosts()).toEqual(['web1', 'web2']);
    process.env.NX_SKIP_NX_CACHE = 'true';
    expect(hosts(true)).toEqual(['web1', 'web2']);
  });

  it('passes over tasks of projects it does not know, and a memory that is not a number', () => {
    const projects = { odd: { root: 'hosts/odd', targets: hostTargets({ memoryPerHostMiB: '8192' }) }, bare: { root: 'hosts/bare' } };
    const g = graph([task('ghost', 'eval', 'hg'), task('bare', 'eval', 'hb'), task('odd', 'eval', 'ho')], {});
    expect(evalPeers(context('odd', 'eval', g, projects), '.', { willRun: true })).toEqual([{ host: 'odd', key: key('ho') }]);
    expect(evalPeers({ ...context('odd', 'eval', g), taskGraph: undefined }, '.')).toEqual([]);
  });
});

describe('checkOwnHost', () => {
  it('refuses --host naming another host than the project, and says what to run', () => {
    const c = context('web1', 'build', graph([], {}));
    expect(() => checkOwnHost(c, 'web1')).not.toThrow();
    expect(() => checkOwnHost(c, 'web2')).toThrow('--host=web2 names another host than the project web1: the task is cached under web1\'s evaluation. Run "nx run web2:build" instead.');
  });

  it('lets a project that is no host (a workspace-level target) name any host', () => {
    const c = context('tools', 'build', graph([], {}), { tools: { root: 'tools', targets: { build: { executor: '@nix-fleet/nx:build' } } } });
    expect(() => checkOwnHost(c, 'web2')).not.toThrow();
    expect(() => checkOwnHost({ ...c, projectName: undefined }, 'web2')).not.toThrow();
  });
});
