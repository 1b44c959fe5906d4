// The wrapper every remote call runs under (boundedArgv), in a real shell with the real
// coreutils `timeout` and with busybox's: what a command leaves behind is gone when it returns.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedArgv } from './remote-scripts';

// A folder whose `timeout` is busybox's, first on PATH for the busybox cases.
const dir = mkdtempSync(join(tmpdir(), 'nix-fleet-bounded-'));
symlinkSync('/bin/busybox', join(dir, 'timeout'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// A failing case must not leave its sleeps behind.
afterEach(() => survivors(`nfbounded-`).forEach((p) => process.kill(Number(p), 'SIGKILL')));

const KINDS: Array<[string, NodeJS.ProcessEnv]> = [
  ['coreutils', process.env],
  ['busybox', { ...process.env, PATH: `${dir}:${process.env.PATH}` }],
];

/** Live (not zombie) processes whose argv contains `marker`. */
const survivors = (marker: string) =>
  readdirSync('/proc').filter((p) => {
    try {
      return /^\d+$/.test(p) && !/\) Z /.test(readFileSync(`/proc/${p}/stat`, 'utf-8')) && readFileSync(`/proc/${p}/cmdline`, 'utf-8').includes(marker);
    } catch {
      return false;
    }
  });

/**
 * Waits up to 3 s for the processes with `marker` to be gone: busybox's timeout watches the
 * command from a process of its own (in its own session, argv "timeout ..."), which ends within
 * a second of the command.
 */
async function gone(marker: string): Promise<string[]> {
  for (let i = 0; i < 30 && survivors(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return survivors(marker).map((p) => readFileSync(`/proc/${p}/cmdline`, 'utf-8'));
}

function bounded(seconds: number, script: string, env: NodeJS.ProcessEnv, input?: string) {
  expect(spawnSync('sh', ['-c', 'timeout --help 2>&1 | head -1'], { encoding: 'utf-8', env }).stdout).toMatch(env === process.env ? /Usage: timeout \[OPTION\]/ : /BusyBox/);
  const [cmd, ...args] = boundedArgv(seconds, ['sh', '-c', script]);
  const started = Date.now();
  const r = spawnSync(cmd, args, { encoding: 'utf-8', env, input, timeout: 60000 });
  return { code: r.status, out: r.stdout, ms: Date.now() - started };
}

describe.each(KINDS)('under %s timeout', (kind, env) => {
  it('a command that hangs after forking a daemon that ignores SIGTERM and closes its stdio: both are gone afterwards', async () => {
    const marker = `nfbounded-daemon-${kind}-${process.pid}`;
    const r = bounded(1, `sh -c 'trap "" TERM; sleep 300; : ${marker}' </dev/null >/dev/null 2>&1 & sleep 300; : ${marker}-main`, env);
    expect([124, 137, 143]).toContain(r.code);
    expect(r.ms).toBeLessThan(15000);
    expect(await gone(marker)).toEqual([]);
  });

  it('a command that ends at once but leaves a child holding its output returns at once, the child gone', async () => {
    const marker = `nfbounded-left-${kind}-${process.pid}`;
    const r = bounded(60, `sh -c 'sleep 300; : ${marker}' & echo started`, env);
    expect(r).toMatchObject({ code: 0, out: 'started\n' });
    expect(r.ms).toBeLessThan(15000);
    expect(await gone(marker)).toEqual([]);
  });

  it('passes stdin and the exit code through', () => {
    expect(bounded(5, 'cat; exit 3', env, 'a list\n')).toMatchObject({ code: 3, out: 'a list\n' });
  });
});

// A stop of a local target signals the wrapper's process group; the command runs in a session of
// its own, so the wrapper passes the stop on. Each shell the wrapper may meet as `sh` on a target.
const SHELLS: Array<[string, string[], NodeJS.ProcessEnv]> = [
  ['dash, coreutils timeout', ['dash'], process.env],
  ['bash, coreutils timeout', ['bash'], process.env],
  ['busybox sh, busybox timeout', ['busybox', 'sh'], KINDS[1][1]],
];

describe.each(SHELLS)('a stop under %s', (_name, shell, env) => {
  it('reaches the command, which gets its TERM first and time to clean up; nothing is left', async () => {
    const marker = `nfbounded-stop-${shell.join('')}-${process.pid}`;
    const log = join(dir, `${marker}.log`);
    const script = `trap 'echo got >> ${log}; sleep 0.3; echo cleaned >> ${log}; exit 7' TERM; echo ready >> ${log}; while :; do sleep 0.1; done; : ${marker}`;
    const [, ...args] = boundedArgv(60, ['sh', '-c', script]);
    const wrapper = spawn(shell[0], [...shell.slice(1), ...args], { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    wrapper.stderr!.on('data', (d) => (stderr += d));
    const ended = new Promise<[number | null, string | null]>((r) => wrapper.on('exit', (code, signal) => r([code, signal])));
    for (let i = 0; i < 100 && !(existsSync(log) && readFileSync(log, 'utf-8').includes('ready')); i++) await new Promise((r) => setTimeout(r, 50));
    process.kill(-wrapper.pid!, 'SIGTERM');
    expect(await ended).toEqual([143, null]);
    // TERM may come twice: from the wrapper, and from timeout, which passes its own on.
    expect(readFileSync(log, 'utf-8')).toMatch(/^ready\n(got\n)+cleaned\n$/);
    // The command's own shell may say "Terminated" of its sleep; the wrapper says nothing.
    expect(stderr).not.toMatch(/Killed|setsid|timeout/);
    expect(await gone(marker)).toEqual([]);
  });
});

// A stop that comes before setsid has made the command's group (here: sent by the wrapper to
// itself right after its trap is set) must still stop the command, not leave it to its timeout.
describe.each(SHELLS)('a stop before the command has its own group, under %s', (_name, shell, env) => {
  it('ends the wrapper at once with the stop\'s exit code', () => {
    const [, , script, ...args] = boundedArgv(30, ['sleep', '300']);
    expect(script).toContain('trap on_stop HUP INT TERM\n');
    const early = script.replace('trap on_stop HUP INT TERM\n', () => 'trap on_stop HUP INT TERM\nkill -s TERM $$\n');
    const started = Date.now();
    const r = spawnSync(shell[0], [...shell.slice(1), '-c', early, ...args], { env, encoding: 'utf-8', timeout: 60000 });
    expect(r.status).toBe(143);
    expect(Date.now() - started).toBeLessThan(10000);
  });
});
