// The remote scripts run here in a real /bin/sh against a temp dir standing in for the
// target (mode "test" needs no nix-env: the profile is left alone).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activateArgv,
  breakLockArgv,
  commitArgv,
  followArgv,
  ACTIVATION,
  FOLLOW,
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
  ROLLBACK_DETACHED,
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
/** Polls until ok() holds; fails naming what it waited for. */
async function waitFor(ok: () => boolean, what: string, ms = 15000) {
  for (const end = Date.now() + ms; !ok(); await sleep(50)) if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
}
/** The process in pidFile still runs (a zombie has ended: only its parent has not reaped it). */
function running(pidFile: string): boolean {
  const stat = `/proc/${readFileSync(pidFile, 'utf-8').trim()}/stat`;
  return existsSync(stat) && readFileSync(stat, 'utf-8').replace(/^.*\) /, '')[0] !== 'Z';
}

/** A fake system whose switch-to-configuration records "<mode> <system>" in dir/log. */
function system(name: string, exit = 0): string {
  const sys = join(dir, name);
  mkdirSync(join(sys, 'bin'), { recursive: true });
  writeFileSync(
    join(sys, 'bin', 'switch-to-configuration'),
    `#!/bin/sh\necho "$1 ${sys}" >> ${dir}/log\ncase "$1" in switch|test) ln -sfn ${sys} ${dir}/current ;; esac\nexit ${exit}\n`,
  );
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
    previousProfileLink: '',
    currentSystemPath: join(dir, 'current'),
    switchGeneration: '',
    maxGeneration: '0',
    ...over,
  };
}

describe('argv builders', () => {
  it('passes the context as named words, script text first', () => {
    const c = context({ setProfile: true, windowSeconds: 34 });
    expect(contextArgs(c)).toEqual([
      `profile=${c.profile}`, `out_path=${c.outPath}`, 'mode=test', `run_dir=${c.runDir}`, 'window_seconds=34', 'activation_seconds=5',
      `previous_current=${c.previousCurrent}`, `lock_dir=${c.lockDir}`, 'set_profile=1', 'previous_profile=', 'previous_profile_link=',
      `current_system_path=${c.currentSystemPath}`, 'switch_generation=', 'max_generation=0',
    ]);
    expect(activateArgv(c, 600)).toEqual([
      'sh', '-c', ACTIVATE, 'nix-fleet', `watchdog_script=${WATCHDOG}`, `activation_script=${ACTIVATION}`, `follow_script=${FOLLOW}`, 'follow_seconds=600', ...contextArgs(c),
    ]);
    expect(followArgv(c.runDir, 1234, 60)).toEqual(['sh', '-c', FOLLOW, 'nix-fleet', `run_dir=${c.runDir}`, 'offset=1234', 'seconds=60']);
    expect(commitArgv(c)).toEqual(['sh', '-c', COMMIT, 'nix-fleet', ...contextArgs(c)]);
    expect(rollbackArgv(c)).toEqual(['sh', '-c', ROLLBACK, 'nix-fleet', `rollback_script=${ROLLBACK_DETACHED}`, ...contextArgs(c)]);
  });

  it.each([
    [() => healthCommandArgv('systemctl is-active nginx'), ['sh', '-c', 'systemctl is-active nginx']],
    [() => probeArgv('/run/current-system'), ['readlink', '-f', '/run/current-system']],
    [() => unlockArgv('/run/l', 'tok'), ['sh', '-c', expect.any(String), 'nix-fleet', 'lock_dir=/run/l', 'token=tok']],
    [() => fetchUrlArgv('http://x/', 5), ['sh', '-c', expect.any(String), 'nix-fleet', 'url=http://x/', 'seconds=5']],
    [
      () => lockAndReadArgv('/run/l', 'token=t by me', '/run/c', '/p', '/run/s'),
      ['sh', '-c', expect.any(String), 'nix-fleet', 'lock_dir=/run/l', 'owner=token=t by me', 'current_system=/run/c', 'profile=/p', 'state_dir=/run/s', 'keep=10'],
    ],
    [() => breakLockArgv('/run/l', 'tok', '/run/s'), ['sh', '-c', expect.any(String), 'nix-fleet', 'lock_dir=/run/l', 'token=tok', 'state_dir=/run/s']],
  ])('builder %#', (build, expected) => {
    // Built inside the test: Stryker counts a test as covering only the code it runs itself.
    expect(build()).toEqual(expected);
  });
});

describe('scripts in a real shell', () => {
  it('lock: the first mkdir wins, the second names the holder; unlock needs the token', () => {
    const lock = join(dir, 'run', 'lock');
    const first = sh(lockAndReadArgv(lock, 'token=t1 by alice@laptop pid 7', join(dir, 'none'), join(dir, 'none2'), join(dir, 'state')));
    expect(first).toMatchObject({ code: 0, out: 'current=\nprofile=\nprofile-link=\ngeneration-max=0\n' });
    const second = sh(lockAndReadArgv(lock, 'token=t2 by bob', '/x', '/y', join(dir, 'state')));
    expect(second).toMatchObject({ code: 75, out: 'locked-by=token=t1 by alice@laptop pid 7\n' });
    expect(sh(unlockArgv(lock, 't2')).code).toBe(0);
    expect(existsSync(lock)).toBe(true);
    sh(unlockArgv(lock, 't1'));
    expect(existsSync(lock)).toBe(false);
  });

  it('lock: says when the holder already decided, and breaks only the holder named', () => {
    const lock = join(dir, 'run', 'lock');
    const state = join(dir, 'state');
    sh(lockAndReadArgv(lock, 'token=d1abc by alice@laptop pid 7 since x', '/x', '/y', state));
    expect(sh(lockAndReadArgv(lock, 'token=t2 by bob', '/x', '/y', state)).out).toBe('locked-by=token=d1abc by alice@laptop pid 7 since x\n');
    mkdirSync(join(state, 'd1abc', 'decision'), { recursive: true });
    writeFileSync(join(state, 'd1abc', 'decision', 'result'), 'confirmed\n');
    expect(sh(lockAndReadArgv(lock, 'token=t2 by bob', '/x', '/y', state)).out).toBe('locked-by=token=d1abc by alice@laptop pid 7 since x\ndecided=1\n');
    expect(sh(breakLockArgv(lock, 'd1', state)).out).toBe('');
    expect(existsSync(lock)).toBe(true);
    expect(sh(breakLockArgv(lock, 'd1abc', state)).out).toBe('broken=1\n');
    expect(existsSync(lock)).toBe(false);
  });

  it('breaking the lock of a deploy whose watchdog is armed takes its decision: the watchdog never rolls back', async () => {
    const c = context({ windowSeconds: 1 });
    const token = 'tok1';
    sh(lockAndReadArgv(c.lockDir, `token=${token} by gone@elsewhere pid 1 since x`, '/x', '/y', join(dir, 'state')));
    expect(sh(activateArgv(c, 5)).code).toBe(0);
    const held = sh(lockAndReadArgv(c.lockDir, 'token=t2 by bob', '/x', '/y', join(dir, 'state')));
    expect(held.out).toContain('watchdog=1');
    expect(sh(breakLockArgv(c.lockDir, token, join(dir, 'state'))).out).toBe('broken=1\n');
    await waitFor(() => !running(join(c.runDir, 'watchdog.pid')), 'the watchdog to end');
    // Only the deploy's own activation ran: no rollback to the previous system.
    expect(log()).toEqual([`test ${c.outPath}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'by'), 'utf-8').trim()).toBe('broken');
    expect(existsSync(c.lockDir)).toBe(false);
  });

  it('watchdog: rolls back on its own when nobody confirms, and releases the lock', async () => {
    const c = context();
    sh(lockAndReadArgv(c.lockDir, 'token=tok1 by test', '/x', '/y', join(dir, 'state')));
    expect(sh(activateArgv(c, 5)).code).toBe(0);
    expect(log()).toEqual([`test ${c.outPath}`]);
    // Until it ended: it writes the result before it unlocks.
    await waitFor(() => existsSync(join(c.runDir, 'decision', 'result')) && !running(join(c.runDir, 'watchdog.pid')), 'the watchdog to decide and end');
    expect(log()).toEqual([`test ${c.outPath}`, `test ${c.previousCurrent}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'by'), 'utf-8').trim()).toBe('watchdog');
    expect(existsSync(c.lockDir)).toBe(false);
    // The deployer, arriving late, learns what happened instead of rolling back twice.
    expect(sh(rollbackArgv(c))).toMatchObject({ code: 76, out: `decided-by=watchdog\nresult=rolled-back\nrunning=${c.previousCurrent}\n` });
    expect(log()).toHaveLength(2);
  });

  it('commit: the deployer decides first, the watchdog does nothing', async () => {
    const c = context({ windowSeconds: 1 });
    sh(lockAndReadArgv(c.lockDir, 'token=tok1 by test', '/x', '/y', join(dir, 'state')));
    sh(activateArgv(c, 5));
    expect(sh(commitArgv(c)).code).toBe(0);
    await waitFor(() => !running(join(c.runDir, 'watchdog.pid')), 'the watchdog to end');
    expect(log()).toEqual([`test ${c.outPath}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'result'), 'utf-8').trim()).toBe('confirmed');
    expect(existsSync(c.lockDir)).toBe(false);
  });

  it('a failing switch-to-configuration is reported and the deployer rolls back', () => {
    const c = context({ outPath: system('broken', 3), windowSeconds: 30 });
    const r = sh(activateArgv(c, 5));
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toBe('nix-fleet-activation=3');
    const back = sh(rollbackArgv(c));
    expect(back.code).toBe(0);
    expect(back.out).toContain(`nix-fleet: returning to ${c.previousCurrent} (test)`);
    expect(back.out).toContain(`running=${c.previousCurrent}`);
    expect(log()).toEqual([`test ${c.outPath}`, `test ${c.previousCurrent}`]);
    expect(readFileSync(join(c.runDir, 'decision', 'by'), 'utf-8').trim()).toBe('deployer');
  });

  it('rollback fails clearly when there is no previous system', () => {
    const c = context({ previousCurrent: '', windowSeconds: 0 });
    sh(activateArgv(c, 5));
    const r = sh(rollbackArgv(c));
    expect(r.code).toBe(4);
    expect(r.err).toContain('no system ran before this deploy, so there is nothing to return to');
  });

  it('activation runs detached: a follower killed with its pipe closed mid-activation stops nothing', async () => {
    const slow = join(dir, 'slow');
    mkdirSync(join(slow, 'bin'), { recursive: true });
    // Writes to stdout all along: with stdout on a dead pipe it would die of SIGPIPE half-way.
    writeFileSync(
      join(slow, 'bin', 'switch-to-configuration'),
      `#!/bin/sh\ni=0\nwhile [ $i -lt 15 ]; do echo "step $i"; sleep 0.1; i=$((i+1)); done\necho "$1 ${slow}" >> ${dir}/log\n`,
    );
    chmodSync(join(slow, 'bin', 'switch-to-configuration'), 0o755);
    const c = context({ outPath: slow, windowSeconds: 0 });
    const a = activateArgv(c, 30);
    const follower = spawn(a[0], a.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follower.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    await waitFor(() => seen.includes('step 0'), 'the first step');
    follower.stdout.destroy();
    follower.kill('SIGKILL');
    await waitFor(() => existsSync(join(c.runDir, 'activation.rc')), 'the activation to end');
    expect(readFileSync(join(c.runDir, 'activation.rc'), 'utf-8').trim()).toBe('0');
    expect(log()).toEqual([`test ${slow}`]);
    expect(seen).toContain('step 0');
    // A new follower picks up where the old one was, and ends with the exit code.
    const shown = Buffer.byteLength(seen);
    const rest = sh(followArgv(c.runDir, shown, 5));
    expect(seen + rest.out).toBe(`${Array.from({ length: 15 }, (_, i) => `step ${i}\n`).join('')}\nnix-fleet-activation=0\n`);
  });

  it('follow reports an activation still running, and a rollback stops it before returning', async () => {
    const hung = join(dir, 'hung');
    mkdirSync(join(hung, 'bin'), { recursive: true });
    writeFileSync(join(hung, 'bin', 'switch-to-configuration'), `#!/bin/sh\necho "$1 ${hung}" >> ${dir}/log\nsleep 30\necho finished >> ${dir}/log\n`);
    chmodSync(join(hung, 'bin', 'switch-to-configuration'), 0o755);
    const c = context({ outPath: hung, windowSeconds: 0 });
    const r = sh(activateArgv(c, 1));
    expect(r.out.trim().split('\n').at(-1)).toBe('nix-fleet-activation=running');
    const back = sh(rollbackArgv(c));
    expect(back.code).toBe(0);
    expect(back.err).toContain('stopped an activation that had not finished');
    // The rollback returned once the activation's group was gone: nothing of it can still land.
    expect(log()).toEqual([`test ${hung}`, `test ${c.previousCurrent}`]);
  });

  it('a rollback stops an activation that ignores SIGTERM with SIGKILL of its group before it reads the state', () => {
    const stubborn = join(dir, 'stubborn');
    mkdirSync(join(stubborn, 'bin'), { recursive: true });
    writeFileSync(
      join(stubborn, 'bin', 'switch-to-configuration'),
      `#!/bin/sh\ntrap '' TERM\necho "$1 ${stubborn}" >> ${dir}/log\nsleep 30\nln -sfn ${stubborn} ${dir}/current\n`,
    );
    chmodSync(join(stubborn, 'bin', 'switch-to-configuration'), 0o755);
    const c = context({ outPath: stubborn, windowSeconds: 0 });
    expect(sh(activateArgv(c, 1)).out.trim().split('\n').at(-1)).toBe('nix-fleet-activation=running');
    const back = sh(rollbackArgv(c));
    expect(back.code).toBe(0);
    expect(back.err).toContain('ignored SIGTERM for 5s: sending SIGKILL');
    const group = readFileSync(join(c.runDir, 'activation.pid'), 'utf-8').trim();
    // [state, ppid, pgrp] of every process; a zombie (Z) has ended, only its parent has not reaped it.
    const stats = readdirSync('/proc').flatMap((p) => (/^\d+$/.test(p) && existsSync(`/proc/${p}/stat`) ? [readFileSync(`/proc/${p}/stat`, 'utf-8').replace(/^.*\) /, '').split(' ')] : []));
    expect(stats.filter(([state, , pgrp]) => pgrp === group && state !== 'Z')).toEqual([]);
    expect(log()).toEqual([`test ${stubborn}`, `test ${c.previousCurrent}`]);
  }, 20000);

  it('a deploy records the system it activates (generations names failed ones); a rollback on demand records none', () => {
    const deploy = context({ windowSeconds: 0 });
    sh(activateArgv(deploy, 5));
    expect(readFileSync(join(deploy.runDir, 'system'), 'utf-8')).toBe(`${deploy.outPath}\n`);
    const back = context({ windowSeconds: 0, runDir: join(dir, 'state', 'tok2'), switchGeneration: '1' });
    sh(activateArgv(back, 5));
    expect(existsSync(join(back.runDir, 'activation.rc'))).toBe(true);
    expect(existsSync(join(back.runDir, 'system'))).toBe(false);
  });

  it('a rollback on demand switches only to a generation link of the profile that holds its system', () => {
    const c = context({ windowSeconds: 0, mode: 'switch', setProfile: true, switchGeneration: '7' });
    const r = sh(activateArgv(c, 5));
    expect(r.out).toContain(`nix-fleet: ${c.profile}-7-link is not a generation of ${c.profile} holding ${c.outPath}`);
    expect(r.out.trim().split('\n').at(-1)).toBe('nix-fleet-activation=3');
    expect(log()).toEqual([]);
  });

  it("the deployer's rollback runs to its end when its connection closes half-way: result written, lock released", async () => {
    const old = join(dir, 'old-slow');
    mkdirSync(join(old, 'bin'), { recursive: true });
    // Writes to stdout all along, as switch-to-configuration does: on a closed pipe, SIGPIPE.
    writeFileSync(
      join(old, 'bin', 'switch-to-configuration'),
      `#!/bin/sh\ni=0\nwhile [ $i -lt 15 ]; do echo "step $i"; sleep 0.1; i=$((i+1)); done\nln -sfn ${old} ${dir}/current\necho "$1 ${old} complete" >> ${dir}/log\n`,
    );
    chmodSync(join(old, 'bin', 'switch-to-configuration'), 0o755);
    const c = context({ previousCurrent: old, windowSeconds: 0 });
    mkdirSync(c.lockDir, { recursive: true });
    writeFileSync(join(c.lockDir, 'owner'), 'token=tok1 host=x\n');
    sh(activateArgv(c, 5));
    const r = rollbackArgv(c);
    const deployer = spawn(r[0], r.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    deployer.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    await waitFor(() => existsSync(join(c.runDir, 'rollback.out')) && readFileSync(join(c.runDir, 'rollback.out'), 'utf-8').includes('step 0'), 'the rollback to start');
    // The deployer was stopped (or lost its link): sshd closes the session's pipes.
    deployer.stdout.destroy();
    deployer.stderr.destroy();
    const result = join(c.runDir, 'decision', 'result');
    // The result is written before the lock is released: the rollback has ended once both happened.
    await waitFor(() => existsSync(result) && !existsSync(c.lockDir), 'the rollback to end');
    expect(existsSync(result) && readFileSync(result, 'utf-8').trim()).toBe('rolled-back');
    expect(log()).toContain(`test ${old} complete`);
    expect(existsSync(c.lockDir)).toBe(false);
  }, 20000);

  it('follow says when no activation was started', () => {
    expect(sh(followArgv(join(dir, 'nothing'), 0, 1)).out.trim()).toBe('nix-fleet-activation=missing');
  });
});
