// The remote scripts run here in a real /bin/sh against a temp dir standing in for the
// target (mode "test" needs no nix-env: the profile is left alone).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activateArgv,
  commitArgv,
  contextArgs,
  fetchUrlArgv,
  healthCommandArgv,
  lockAndReadArgv,
  probeArgv,
  rollbackArgv,
  unlockArgv,
  ACTIVATE,
  COMMIT,
  ROLLBACK,
  WATCHDOG,
  type DeployContext,
} from './remote-scripts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nix-fleet-scripts-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sh = (argv: string[]) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf-8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake system whose switch-to-configuration records "<mode> <system>" in dir/log. */
function system(name: string, exit = 0): string {
  const sys = join(dir, name);
  mkdirSync(join(sys, 'bin'), { recursive: true });
  writeFileSync(join(sys, 'bin', 'switch-to-configuration'), `#!/bin/sh\necho "$1 ${sys}" >> ${dir}/log\nexit ${exit}\n`);
  chmodSync(join(sys, 'bin', 'switch-to-configuration'), 0o755);
  return sys;
}
const log = () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf-8').trim().split('\n') : []);

function context(over: Partial<DeployContext> = {}): DeployContext {
  return {
    profile: join(dir, 'profile'),
    outPath: system('new'),
    mode: 'test',
    runDir: join(dir, 'state', 'tok1'),
    windowSeconds: 1,
    activationSeconds: 5,
    previousCurrent: system('old'),
    lockDir: join(dir, 'lock'),
    setProfile: false,
    previousProfile: '',
    ...over,
  };
}

describe('argv builders', () => {
  it('passes the context as positional parameters, script text first', () => {
    const c = context({ setProfile: true, windowSeconds: 34 });
    expect(contextArgs(c)).toEqual([c.profile, c.outPath, 'test', c.runDir, '34', '5', c.previousCurrent, c.lockDir, '1', '']);
    expect(activateArgv(c)).toEqual(['sh', '-c', ACTIVATE, 'nix-fleet', WATCHDOG, ...contextArgs(c)]);
    expect(commitArgv(c)).toEqual(['sh', '-c', COMMIT, 'nix-fleet', ...contextArgs(c)]);
    expect(rollbackArgv(c)).toEqual(['sh', '-c', ROLLBACK, 'nix-fleet', ...contextArgs(c)]);
  });

  it.each([
    [healthCommandArgv('systemctl is-active nginx'), ['sh', '-c', 'systemctl is-active nginx']],
    [probeArgv('/run/current-system'), ['readlink', '-f', '/run/current-system']],
    [unlockArgv('/run/l', 'tok'), ['sh', '-c', expect.any(String), 'nix-fleet', '/run/l', 'tok']],
    [fetchUrlArgv('http://x/', 5), ['sh', '-c', expect.any(String), 'nix-fleet', 'http://x/', '5']],
    [lockAndReadArgv('/run/l', 'token=t by me', '/run/c', '/p'), ['sh', '-c', expect.any(String), 'nix-fleet', '/run/l', 'token=t by me', '/run/c', '/p']],
  ])('builder %#', (argv, expected) => {
    expect(argv).toEqual(expected);
  });
});

describe('scripts in a real shell', () => {
  it('lock: the first mkdir wins, the second names the holder; unlock needs the token', () => {
    const lock = join(dir, 'run', 'lock');
    const first = sh(lockAndReadArgv(lock, 'token=t1 by alice@laptop pid 7', join(dir, 'none'), join(dir, 'none2')));
    expect(first).toMatchObject({ code: 0, out: 'current=\nprofile=\n' });
    const second = sh(lockAndReadArgv(lock, 'token=t2 by bob', '/x', '/y'));
    expect(second).toMatchObject({ code: 75, out: 'locked-by=token=t1 by alice@laptop pid 7\n' });
    expect(sh(unlockArgv(lock, 't2')).code).toBe(0);
    expect(existsSync(lock)).toBe(true);
    sh(unlockArgv(lock, 't1'));
    expect(existsSync(lock)).toBe(false);
  });

  it('watchdog: rolls back on its own when nobody confirms, and releases the lock', async () => {
    const c = context();
    sh(lockAndReadArgv(c.lockDir, 'token=tok1 by test', '/x', '/y'));
    expect(sh(activateArgv(c)).code).toBe(0);
    expect(log()).toEqual([`test ${c.outPath}`]);
    await sleep(2500);
    expect(log()).toEqual([`test ${c.outPath}`, `test ${c.previousCurrent}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'by'), 'utf-8').trim()).toBe('watchdog');
    expect(existsSync(c.lockDir)).toBe(false);
    // The deployer, arriving late, learns what happened instead of rolling back twice.
    expect(sh(rollbackArgv(c))).toMatchObject({ code: 76, out: 'decided-by=watchdog\nresult=rolled-back\n' });
    expect(log()).toHaveLength(2);
  });

  it('commit: the deployer decides first, the watchdog does nothing', async () => {
    const c = context({ windowSeconds: 1 });
    sh(lockAndReadArgv(c.lockDir, 'token=tok1 by test', '/x', '/y'));
    sh(activateArgv(c));
    expect(sh(commitArgv(c)).code).toBe(0);
    await sleep(2500);
    expect(log()).toEqual([`test ${c.outPath}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'result'), 'utf-8').trim()).toBe('confirmed');
    expect(existsSync(c.lockDir)).toBe(false);
  });

  it('a failing switch-to-configuration is reported and the deployer rolls back', () => {
    const c = context({ outPath: system('broken', 3), windowSeconds: 30 });
    const r = sh(activateArgv(c));
    expect(r.code).toBe(3);
    expect(sh(rollbackArgv(c)).code).toBe(0);
    expect(log()).toEqual([`test ${c.outPath}`, `test ${c.previousCurrent}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'by'), 'utf-8').trim()).toBe('deployer');
  });

  it('rollback fails clearly when there is no previous system', () => {
    const c = context({ previousCurrent: '', windowSeconds: 0 });
    sh(activateArgv(c));
    const r = sh(rollbackArgv(c));
    expect(r.code).toBe(4);
    expect(r.err).toContain('no previous generation');
  });
});
