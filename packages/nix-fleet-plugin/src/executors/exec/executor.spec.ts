// The exec executor: option checks, and one command on a local host end to end.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import execExecutor, { checkExecOptions } from './executor';

describe('exec executor', () => {
  const { root, context, out, errors, hostJson } = executorWorkspace('exec', 'ares');
  hostJson({ type: 'laptop', system: 'x86_64-linux', deployment: { targetHost: 'localhost' } });

  it.each([
    [{}, 'No command: pass --command="..."'],
    [{ command: '  ' }, 'No command: pass --command="..."'],
    [{ command: 'true', timeout: 0 }, '--timeout=0 is not a number of seconds from more than 0 to 86400'],
  ])('refuses %j', (options, message) => expect(() => checkExecOptions(options)).toThrow(message));

  it('refuses a localhost host without --local or the nx.json opt-in, before running anything', async () => {
    expect(await execExecutor({ command: 'touch should-not-exist' }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('Host "ares" deploys to localhost, which is this machine');
    expect(errors.join('\n')).toContain('"allowLocalTargets": true');
  });

  it('runs the command on a localhost host without ssh with the nx.json opt-in, and keeps its exit code', async () => {
    if (process.getuid?.() !== 0) return; // LocalHost would go through sudo
    const optedIn = { ...context, nxJsonConfiguration: { plugins: [{ plugin: '@nix-fleet/nx', options: { allowLocalTargets: true } }] } };
    expect(await execExecutor({ command: 'echo "on $0"; exit 4' }, optedIn)).toEqual({ success: false });
    expect(out).toContain('ares | on sh');
    expect(errors).toContain('ares: failed (exit 4): exit code 4');
    expect(JSON.parse(readFileSync(join(root, 'dist/exec/hosts/ares.json'), 'utf-8'))).toMatchObject({ host: 'ares', status: 'failed', exitCode: 4, local: true });
  });
});

// `nx run-many -t exec --host=ares` hands --host to every project's task: each would reach ares
// and report ares's result under its own name (a rollback would roll ares back once per task).
describe('exec --host over several tasks', () => {
  const { root, context, errors, hostJson } = executorWorkspace('exec', 'zeus');
  // Loopback ports no one listens on: a run that gets through reaches nothing beyond this machine.
  hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: '127.0.0.1', port: 9 } }, 'ares');
  hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: '127.0.0.2', port: 9 } }, 'zeus');
  const task = (project: string, target = 'exec') => ({ id: `${project}:${target}`, target: { project, target }, overrides: target === 'exec' ? { host: 'ares' } : {} });
  const run = { ...context, taskGraph: { roots: [], dependencies: {}, tasks: { 'ares:exec': task('ares'), 'zeus:exec': task('zeus'), 'zeus:build': task('zeus', 'build') } } } as unknown as typeof context;

  it("refuses a --host that is not the task's own project when the run has more than one exec task, and writes no result for that host", async () => {
    expect(await execExecutor({ command: 'touch should-not-exist', host: 'ares' }, run)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('--host=ares names one host, but this run has 2 exec tasks');
    expect(existsSync(join(root, 'dist/exec/hosts/ares.json'))).toBe(false);
  });

  it("refuses the named host's own task too: the run's other tasks got the same --host", async () => {
    expect(await execExecutor({ command: 'touch should-not-exist', host: 'ares' }, { ...run, projectName: 'ares' })).toEqual({ success: false });
    expect(errors.join('\n')).toContain('--host=ares names one host, but this run has 2 exec tasks');
  });

  it('lets a run of one exec task name its host', async () => {
    const one = { ...run, taskGraph: { ...run.taskGraph, tasks: { 'zeus:exec': task('zeus') } } } as unknown as typeof context;
    await execExecutor({ command: 'true', host: 'ares' }, one);
    expect(errors.join('\n')).not.toContain('names one host');
  });
});
