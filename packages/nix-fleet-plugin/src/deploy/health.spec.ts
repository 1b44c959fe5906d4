// Health checks after activation: what runs on the target for each check, how long it may
// take, and what a failure tells the person.
import type { RunResult } from '../process/run';
import { FakeTarget } from '../../testing/fake-target';
import { checkArgv, describeCheck, runHealthChecks } from './health';
import { deployPlan, type DeployPlan } from './options';
import type { ExecOptions, Target } from './target';

type Check = DeployPlan['healthChecks'][number];
const plan = (healthChecks: Check[]): DeployPlan => ({
  ...deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, {}, {}),
  healthChecks,
});

async function run(t: Target, checks: Check[]) {
  const lines: string[] = [];
  const error = await runHealthChecks(t, plan(checks), (l) => lines.push(l)).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { lines, error };
}

describe('describeCheck', () => {
  it('names a URL by its GET, a command quoted as given', () => {
    expect(describeCheck({ url: 'http://127.0.0.1:8080/health?x=1' })).toBe('GET http://127.0.0.1:8080/health?x=1');
    expect(describeCheck({ command: 'systemctl is-active "nginx"' })).toBe('command "systemctl is-active \\"nginx\\""');
  });
});

describe('checkArgv', () => {
  it('runs a command through sh as given; no command is a check that passes', () => {
    expect(checkArgv({ command: 'curl -sf localhost; echo $HOME', timeout: 5 })).toEqual(['sh', '-c', 'curl -sf localhost; echo $HOME']);
    expect(checkArgv({ timeout: 5 })).toEqual(['sh', '-c', 'true']);
  });

  it.each([
    [30, 'seconds=30'],
    [2.1, 'seconds=3'],
    [0.2, 'seconds=1'],
    [0, 'seconds=1'],
  ])('fetches a URL within its timeout %ss, in whole seconds of at least 1 (%s)', (timeout, seconds) => {
    const argv = checkArgv({ url: 'http://localhost/h', timeout });
    expect(argv.slice(-2)).toEqual(['url=http://localhost/h', seconds]);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
  });

  it('a URL wins over a command given with it', () => {
    expect(checkArgv({ url: 'http://localhost/h', command: 'false', timeout: 5 })).toContain('url=http://localhost/h');
  });
});

describe('runHealthChecks', () => {
  it('runs every check in order, each once when it passes, and logs each pass', async () => {
    const t = new FakeTarget();
    const { lines, error } = await run(t, [
      { command: 'systemctl is-active nginx', timeout: 5 },
      { url: 'http://localhost/h', timeout: 5 },
    ]);
    expect(error).toBeUndefined();
    expect(t.argvs[0]).toEqual(['sh', '-c', 'systemctl is-active nginx']);
    expect(t.argvs[1]).toContain('url=http://localhost/h');
    expect(lines).toEqual(['  health check passed: command "systemctl is-active nginx"', '  health check passed: GET http://localhost/h']);
  });

  it('no checks: nothing runs', async () => {
    const t = new FakeTarget();
    expect(await run(t, [])).toEqual({ lines: [], error: undefined });
    expect(t.calls).toEqual([]);
  });

  it('tries a failing check again until it passes (a service still starting)', async () => {
    const t = new FakeTarget().on('health', { fail: 3, stderr: 'activating' });
    const { lines, error } = await run(t, [{ command: 'systemctl is-active nginx', timeout: 3 }]);
    expect(error).toBeUndefined();
    expect(t.calls).toEqual(['health', 'health']);
    expect(lines).toEqual(['  health check passed: command "systemctl is-active nginx"']);
  });

  it('a check that fails past its timeout is a failed health check step naming it, its timeout and its output; later checks do not run', async () => {
    const t = new FakeTarget().on('health', { fail: 3, stdout: 'state: inactive\n', stderr: 'nginx.service failed' });
    const { lines, error } = await run(t, [
      { command: 'systemctl is-active nginx', timeout: 0.5 },
      { url: 'http://localhost/h', timeout: 5 },
    ]);
    expect(error).toMatchObject({ name: 'DeployStepError', step: 'health check' });
    expect((error as Error).message).toBe('command "systemctl is-active nginx" did not pass within 0.5s: state: inactive\nnginx.service failed');
    expect(t.calls).toEqual(['health']);
    expect(lines).toEqual([]);
  });

  it('gives each try the time left to the check, at least a second, and keeps only the tail of its output', async () => {
    const seen: ExecOptions[] = [];
    const ok: RunResult = { stdout: '', stderr: '', code: 0, durationMs: 1 };
    const t: Target = {
      exec: (_argv, opts) => (seen.push(opts), Promise.resolve(ok)),
      copy: () => Promise.resolve(ok),
      checkHostKeys: () => Promise.resolve(),
    };
    await run(t, [
      { command: 'a', timeout: 20 },
      { command: 'b', timeout: 0.1 },
    ]);
    expect(seen[0].timeoutMs).toBeGreaterThan(19000);
    expect(seen[0].timeoutMs).toBeLessThanOrEqual(20000);
    expect(seen[1].timeoutMs).toBe(1000);
    expect(seen.map((o) => o.stdoutTailBytes)).toEqual([65536, 65536]);
    expect(seen.map((o) => o.fresh)).toEqual([undefined, undefined]);
  });
});
