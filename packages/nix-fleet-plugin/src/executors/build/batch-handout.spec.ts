// The batch build hands each Nx task its own host's result. nix is a recorded stand-in here (a
// unit spec; e2e/tests/build-scale runs the real one): `nix build --json` answers in another order
// than the tasks were given, as Nix does, and the tasks are not in the order of their hosts.
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Toplevel } from '../../nix/nix-argv';

jest.mock('../../process/run', () => ({ ...jest.requireActual('../../process/run'), run: jest.fn() }));
jest.mock('./proven-toplevels', () => ({ provenToplevels: jest.fn() }));
jest.mock('./executor', () => ({ __esModule: true, default: jest.fn(async () => ({ success: false })) }));
// The derivations are "in the store" without a store: only /nix/store paths are answered so.
jest.mock('node:fs', () => {
  const fs = jest.requireActual('node:fs');
  return { ...fs, existsSync: (p: string) => String(p).startsWith('/nix/store/') || fs.existsSync(p) };
});

import { run } from '../../process/run';
import { provenToplevels } from './proven-toplevels';
import buildExecutor from './executor';
import buildBatch from './batch';

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
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('each task gets its own host\'s system and record, whatever order nix printed them in', async () => {
  // Task ids in an order that is neither the hosts' nor nix's.
  const ids = ['bravo1:build', 'charlie22:build', 'alpha:build'];
  const graph = {
    roots: ids,
    dependencies: {},
    tasks: Object.fromEntries(ids.map((id) => [id, { id, target: { project: id.split(':')[0], target: 'build' }, overrides: {}, hash: `hash-${id}` }])),
  } as unknown as TaskGraph;
  const context = { root, cwd: root, isVerbose: false, projectsConfigurations: { version: 2, projects: {} } } as unknown as ExecutorContext;
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const results: Record<string, { success: boolean; terminalOutput: string }> = {};
  for await (const { task, result } of buildBatch(graph, Object.fromEntries(ids.map((id) => [id, { progress: false }])), {}, context)) results[task] = result;
  log.mockRestore();
  expect(buildExecutor).not.toHaveBeenCalled();
  for (const id of ids) {
    const host = id.split(':')[0];
    expect([id, results[id].success, results[id].terminalOutput.split('\n')[0]]).toEqual([id, true, `${host}: ${out(host)}`]);
    const record = JSON.parse(readFileSync(join(root, 'dist/hosts', host, 'build.json'), 'utf-8'));
    expect(record).toMatchObject({ host, drvPath: drv(host), outPath: out(host), nixVersion: '2.8.0' });
  }
  // One nix build of the three derivations (plus the version and each GC root).
  const builds = jest.mocked(run).mock.calls.filter(([, args]) => args.includes('--json'));
  expect(builds).toHaveLength(1);
});
