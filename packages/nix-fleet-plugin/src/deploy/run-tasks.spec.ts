// The run's selected deploy hosts, recorded by each deploy task and read back by the fleet summary.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunTasks, recordRunTasks } from './run-tasks';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-run-tasks-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const FILE = 'dist/deploy/run-tasks.json';
const task = (project: string, target = 'deploy', overrides: Record<string, unknown> = {}) => ({ target: { project, target }, overrides });
const record = (targetName: string, tasks: ReturnType<typeof task>[]) =>
  recordRunTasks({ root, targetName, taskGraph: { tasks: Object.fromEntries(tasks.map((t, i) => [`t${i}`, t])) } as never });

describe('recordRunTasks', () => {
  it('records the selected hosts of this target, sorted and once each, leaving out wave-order tasks and other targets', () => {
    const before = Date.now();
    record('ship', [task('web2', 'ship'), task('db', 'ship'), task('web1', 'ship', { waveOf: 'db' }), task('cache', 'build'), task('web2', 'ship')]);
    const text = readFileSync(join(root, FILE), 'utf-8');
    expect(text).toMatch(/\}\n$/);
    const json = JSON.parse(text);
    expect(json.hosts).toEqual(['db', 'web2']);
    expect(json.writtenAt).toBeGreaterThanOrEqual(before);
    expect(readRunTasks(root, before)).toEqual(['db', 'web2']);
  });

  it('writes nothing when the run holds no task of the target, or no task graph', () => {
    record('deploy', [task('web1', 'build')]);
    recordRunTasks({ root, targetName: 'deploy', taskGraph: undefined });
    expect(() => readFileSync(join(root, FILE))).toThrow('ENOENT');
  });
});

describe('readRunTasks', () => {
  const write = (text: string) => {
    mkdirSync(join(root, 'dist/deploy'), { recursive: true });
    writeFileSync(join(root, FILE), text);
  };

  it('reads a list written at or after the run started, not one of an earlier run', () => {
    write(JSON.stringify({ writtenAt: 1000, hosts: ['a', 'b'] }));
    expect(readRunTasks(root, 1000)).toEqual(['a', 'b']);
    expect(readRunTasks(root, 1001)).toEqual([]);
  });

  it('is empty with no file or a damaged one', () => {
    expect(readRunTasks(root, 0)).toEqual([]);
    write('{"writtenAt": 5, "hosts": [');
    expect(readRunTasks(root, 0)).toEqual([]);
  });
});
