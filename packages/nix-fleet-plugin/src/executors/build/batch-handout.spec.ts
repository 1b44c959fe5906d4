// The batch build hands each Nx task its own host's result. nix is a recorded stand-in here (a
// unit spec; e2e/tests/build-scale runs the real one): `nix build --json` answers in another order
// than the tasks were given, as Nix does, and the tasks are not in the order of their hosts.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChanged } from '../../nix/build-changes';
import type { Toplevel } from '../../nix/nix-argv';

jest.mock('../../process/run', () => ({ ...jest.requireActual('../../process/run'), run: jest.fn() }));
jest.mock('./proven-toplevels', () => ({ provenToplevels: jest.fn() }));
jest.mock('./executor', () => ({ __esModule: true, default: jest.fn(async () => ({ success: false })) }));
// The derivations are "in the store" without a store: only /nix/store paths are answered so.
jest.mock('node:fs', () => {
  const fs = jest.requireActual('node:fs');
  return { ...fs, existsSync: (p: string) => String(p).startsWith('/nix/store/') || fs.existsSync(p) };
});

import { CommandError, run } from '../../process/run';
import { provenToplevels } from './proven-toplevels';
import buildExecutor from './executor';
import buildBatch from './batch';
import type { BuildExecutorSchema } from './schema';

const drv = (h: string) => `/nix/store/${'a'.repeat(31)}${h.length}-nixos-system-${h}.drv`;
const out = (h: string) => `/nix/store/${'b'.repeat(31)}${h.length}-nixos-system-${h}`;
const hosts = ['alpha', 'bravo1', 'charlie22'];
const toplevels: Record<string, Toplevel & { system: string }> = Object.fromEntries(hosts.map((h) => [h, { drvPath: drv(h), outPath: out(h), system: 'x86_64-linux' }]));

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'batch-handout-'));
  jest.mocked(provenToplevels).mockResolvedValue(toplevels);
  jest.mocked(run).mockImplementation(async (command: string, args: string[]) => {
    const stdout =
      args[0] === '--version'
        ? 'nix (Nix) 2.8.0\n'
        : args.includes('--json')
          ? // Nix prints results in an order of its own: here the reverse of the installables.
            JSON.stringify([...hosts].reverse().map((h) => ({ drvPath: drv(h), outputs: { out: out(h) } })))
          : '';
    return { command, args, stdout, stderr: '', code: 0 } as never;
  });
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  jest.clearAllMocks();
});

const graphOf = (ids: string[]) =>
  ({
    roots: ids,
    dependencies: {},
    tasks: Object.fromEntries(ids.map((id) => [id, { id, target: { project: id.split(':')[0], target: 'build' }, overrides: {}, hash: `hash-${id}` }])),
  }) as unknown as TaskGraph;

/** Runs the batch over `inputs` (task id -> options); what each task reported, and what the batch printed as errors. */
async function runBatch(inputs: Record<string, BuildExecutorSchema>) {
  const context = { root, cwd: root, isVerbose: false, projectsConfigurations: { version: 2, projects: {} } } as unknown as ExecutorContext;
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const results: Record<string, { success: boolean; terminalOutput: string }> = {};
  try {
    for await (const { task, result } of buildBatch(graphOf(Object.keys(inputs)), inputs, {}, context)) results[task] = result;
    return { results, errors: error.mock.calls.map((c) => String(c[0])) };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
const plain = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, { progress: false }]));
const nixCalls = (pick: (args: string[]) => boolean) => jest.mocked(run).mock.calls.filter(([cmd, args]) => cmd === 'nix' && pick(args)).map(([, args]) => args);
const gcRoots = () => nixCalls((a) => a[0] === 'build' && !a.includes('--json'));

it('each task gets its own host\'s system and record, whatever order nix printed them in', async () => {
  // Task ids in an order that is neither the hosts' nor nix's.
  const ids = ['bravo1:build', 'charlie22:build', 'alpha:build'];
  // charlie22 was built before to the same system: its build changed nothing.
  mkdirSync(join(root, 'dist/hosts/charlie22'), { recursive: true });
  writeFileSync(join(root, 'dist/hosts/charlie22/build.json'), JSON.stringify({ outPath: out('charlie22') }));
  // --host naming the task's own project is no other host's: alpha still joins the batch.
  const { results } = await runBatch({ ...plain(ids), 'alpha:build': { progress: false, host: 'alpha' } });
  expect(buildExecutor).not.toHaveBeenCalled();
  for (const id of ids) {
    const host = id.split(':')[0];
    expect([id, results[id].success, results[id].terminalOutput.split('\n')[0]]).toEqual([id, true, `${host}: ${out(host)}`]);
    const record = JSON.parse(readFileSync(join(root, 'dist/hosts', host, 'build.json'), 'utf-8'));
    expect(record).toMatchObject({ host, drvPath: drv(host), outPath: out(host), nixVersion: '2.8.0' });
    expect(buildChanged(root, host, `hash-${id}`)).toBe(host !== 'charlie22');
  }
  // One nix build of the three derivations, then each host's GC root to its own system.
  expect(nixCalls((a) => a.includes('--json'))).toHaveLength(1);
  expect(gcRoots().sort()).toEqual(hosts.map((h) => ['build', out(h), '--out-link', `dist/hosts/${h}/system`]));
  // In the workspace, where the relative links are; the build shown as it runs.
  const calls = jest.mocked(run).mock.calls.filter(([, args]) => args[0] === 'build');
  expect(calls.map(([, , o]) => o?.cwd)).toEqual(calls.map(() => root));
  expect(calls.find(([, args]) => args.includes('--json'))?.[2]).toMatchObject({ echo: true, streamStderr: true });
});

it('one host links its GC root in the build itself', async () => {
  // An evaluation that did not record the system: host.json names it.
  jest.mocked(provenToplevels).mockResolvedValue({ alpha: { drvPath: drv('alpha'), outPath: out('alpha') } });
  mkdirSync(join(root, 'hosts/alpha'), { recursive: true });
  writeFileSync(join(root, 'hosts/alpha/host.json'), JSON.stringify({ type: 'server', system: 'aarch64-linux' }));
  const { results } = await runBatch(plain(['alpha:build']));
  expect(results['alpha:build'].success).toBe(true);
  expect(JSON.parse(readFileSync(join(root, 'dist/hosts/alpha/build.json'), 'utf-8')).system).toBe('aarch64-linux');
  const [build] = nixCalls((a) => a.includes('--json'));
  expect(build.slice(build.indexOf('--out-link'), build.indexOf('--out-link') + 2)).toEqual(['--out-link', 'dist/hosts/alpha/system']);
  expect(gcRoots()).toEqual([]);
});

it('builds alone, through the one-host executor, what cannot share the build', async () => {
  mkdirSync(join(root, 'hosts/charlie22'), { recursive: true });
  writeFileSync(join(root, 'hosts/charlie22/host.json'), JSON.stringify({ type: 'server', system: 'x86_64-linux', deployment: { buildOn: 'remote' } }));
  const inputs: Record<string, BuildExecutorSchema> = {
    'alpha:build': { progress: false, dryRun: true },
    // --host naming another project's host: its hash is not that host's.
    'bravo1:build': { progress: false, host: 'alpha' },
    'charlie22:build': { progress: false },
    'Delta_4:build': { progress: false },
    'echo5:build': { progress: false, noSuchOption: true } as BuildExecutorSchema,
  };
  const { results } = await runBatch(inputs);
  expect(nixCalls((a) => a.includes('--json'))).toEqual([]);
  expect(jest.mocked(buildExecutor).mock.calls.map(([o, c]) => [c.projectName, o.host])).toEqual([
    ['alpha', undefined],
    ['bravo1', 'alpha'],
    ['charlie22', undefined],
    ['Delta_4', undefined],
    ['echo5', undefined],
  ]);
  expect(Object.values(results).map((r) => r.success)).toEqual([false, false, false, false, false]);
});

/** The next nix build (not nix --version) fails with `e`. */
function failBuild(e: Error) {
  const answer = jest.mocked(run).getMockImplementation()!;
  jest.mocked(run).mockImplementation(async (command, args, options) => {
    if (args.includes('--json')) throw e;
    return answer(command, args, options);
  });
}

it.each([
  ['nix build fails', () => failBuild(new CommandError('nix', ['build'], 1, null, '', 'building...\nerror: builder for x failed\n', false)), 'error: builder for x failed'],
  ['a derivation is gone from the store', () => jest.mocked(provenToplevels).mockResolvedValue({ ...toplevels, alpha: { ...toplevels.alpha, drvPath: '/gone/alpha.drv' } }), '/gone/alpha.drv is no longer in the store'],
])('when %s, builds each host alone to tell which, saying why', async (_, fail, why) => {
  fail();
  const ids = ['bravo1:build', 'charlie22:build', 'alpha:build'];
  const { results, errors } = await runBatch(plain(ids));
  expect(errors.join('\n')).toContain(`The batch build of bravo1, charlie22, alpha failed (${why}); building them one by one to tell which.`);
  expect(jest.mocked(buildExecutor).mock.calls.map(([, c]) => c.projectName)).toEqual(['bravo1', 'charlie22', 'alpha']);
  expect(Object.keys(results).sort()).toEqual([...ids].sort());
});

it('shows progress under the host, or the batch, and names Nix\'s first error when the build fails', async () => {
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    jest.mocked(provenToplevels).mockResolvedValue({ alpha: toplevels.alpha });
    await runBatch({ 'alpha:build': {} });
    jest.mocked(provenToplevels).mockResolvedValue({ bravo1: toplevels.bravo1, alpha: toplevels.alpha });
    const answer = jest.mocked(run).getMockImplementation()!;
    jest.mocked(run).mockImplementation(async (command, args, options) => {
      if (!args.includes('--json')) return answer(command, args, options);
      expect(args.slice(-2)).toEqual(['--log-format', 'internal-json']);
      options?.onStderrLine?.('@nix {"action":"msg","level":0,"msg":"error: builder for x failed"}');
      options?.onStderrLine?.('@nix {"action":"msg","level":0,"msg":"error: 1 dependencies of y failed"}');
      throw new CommandError('nix', args, 1, null, '', 'error: 1 dependencies of y failed\n', false);
    });
    const { errors } = await runBatch({ 'bravo1:build': {}, 'alpha:build': {} });
    expect(errors.join('\n')).toContain('The batch build of bravo1, alpha failed (builder for x failed)');
    const written = stderr.mock.calls.map((c) => String(c[0]));
    expect(written).toContain('alpha: building 1 systems\n');
    expect(written).toContain('batch of 2: reading the evaluation of bravo1, alpha\n');
    expect(written).toContain('batch of 2: building 2 systems\n');
  } finally {
    stderr.mockRestore();
  }
});
