// The deploy scripts run for real in each shell a target's /bin/sh may be, in switch, boot and test
// modes, on a host with a profile whose running system, profile system and newest generation all
// differ: A runs (generation 1), the profile is at generation 2 (B, a pending boot), and
// generation 3 (C) is newer than the profile (left by an earlier rollback).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRemoteHost, SHELLS } from '../../../testing/fake-remote-host';
import { activateArgv, commitArgv, rollbackArgv, type DeployContext } from '../remote-scripts';

const waitFor = async (ok: () => boolean, what: string, ms = 15000) => {
  for (const end = Date.now() + ms; !ok(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}`);
  }
};

describe.each(SHELLS)('in %s', (shell) => {
  let dir: string;
  let host: FakeRemoteHost;
  let A: string, B: string, C: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nix-fleet-modes-'));
    host = new FakeRemoteHost(dir, shell);
    [A, B, C] = [host.system('a'), host.system('b'), host.system('c', true)];
    host.install([A, B, C], 2, A);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const activate = (c: DeployContext) => {
    const r = host.run(activateArgv(c, 30));
    expect(r).toMatchObject({ code: 0 });
    return r.out.trim().split('\n').at(-1);
  };
  const result = (c: DeployContext) => readFileSync(join(c.runDir, 'decision', 'result'), 'utf-8').trim();
  const untouched = () => ({ '1': A, '2': B, '3': C });

  it.each([
    // [mode, nix-env calls, activations, link, running, boot default]
    ['switch', [['--set', 'N']], [['N', 'switch']], 'profile-4-link', 'N', 'N'],
    ['boot', [['--set', 'N']], [['N', 'boot']], 'profile-4-link', 'A', 'N'],
    ['test', [], [['N', 'test']], 'profile-2-link', 'N', 'B'],
  ])('%s: a new generation only where the mode keeps it, activated in that mode, confirmed', (mode, nixEnv, switches, link, running, boot) => {
    const N = host.system('n');
    const name = (s: string) => ({ A, B, N })[s as 'A'] ?? s;
    const c = host.context(N, mode);
    expect(activate(c)).toBe('nix-fleet-activation=0');
    expect(host.run(commitArgv(c))).toMatchObject({ code: 0, out: `running=${name(running)}\n` });
    expect(result(c)).toBe('confirmed');
    expect(host.nixEnvCalls()).toEqual(nixEnv.map((call) => call.map(name)));
    expect(host.switchCalls()).toEqual(switches.map((call) => call.map(name)));
    expect(host.state()).toMatchObject({ link, current: name(running), boot: name(boot) });
  });

  it.each([
    // [mode, nix-env calls, activations]: the profile returns to the generation recorded under
    // the lock (2), never N-1 (3); only generation 4, this run's, is deleted.
    ['switch', [['--set', 'F'], ['--switch-generation', '2'], ['--delete-generations', '4']], [['F', 'switch'], ['A', 'test'], ['B', 'boot']]],
    ['boot', [['--set', 'F'], ['--switch-generation', '2'], ['--delete-generations', '4']], [['F', 'boot'], ['B', 'boot']]],
    ['test', [], [['F', 'test'], ['A', 'test']]],
  ])('%s: a failed activation returns the host to exactly what it ran and would boot', (mode, nixEnv, switches) => {
    const F = host.system('f', true);
    const name = (s: string) => ({ A, B, F })[s as 'A'] ?? s;
    const c = host.context(F, mode);
    expect(activate(c)).toBe('nix-fleet-activation=1');
    expect(host.run(rollbackArgv(c))).toMatchObject({ code: 0 });
    expect(result(c)).toBe('rolled-back');
    expect(host.nixEnvCalls()).toEqual(nixEnv.map((call) => call.map(name)));
    expect(host.switchCalls()).toEqual(switches.map((call) => call.map(name)));
    expect(host.state()).toEqual({ current: A, link: 'profile-2-link', system: B, generations: untouched(), boot: B });
  });

  it('switch: a redeploy of the newest generation (nix-env --set reuses 3) returns to 2 and keeps 3', () => {
    const c = host.context(C, 'switch');
    expect(activate(c)).toBe('nix-fleet-activation=1');
    expect(host.run(rollbackArgv(c))).toMatchObject({ code: 0 });
    expect(host.nixEnvCalls()).toEqual([['--set', C], ['--switch-generation', '2']]);
    expect(host.state()).toEqual({ current: A, link: 'profile-2-link', system: B, generations: untouched(), boot: B });
  });

  it('switch: the watchdog, unconfirmed, rolls back on its own to the recorded generation', async () => {
    const N = host.system('n');
    const c = host.context(N, 'switch', { windowSeconds: 1 });
    expect(activate(c)).toBe('nix-fleet-activation=0');
    await waitFor(() => existsSync(join(c.runDir, 'decision', 'result')), 'the watchdog to decide');
    expect(result(c)).toBe('rolled-back');
    expect(host.nixEnvCalls()).toEqual([['--set', N], ['--switch-generation', '2'], ['--delete-generations', '4']]);
    expect(host.switchCalls()).toEqual([[N, 'switch'], [A, 'test'], [B, 'boot']]);
    expect(host.state()).toEqual({ current: A, link: 'profile-2-link', system: B, generations: untouched(), boot: B });
  });

  it.each([
    ['switch', 'A'],
    ['boot', 'A'],
  ])('%s: a rollback on demand to generation 1 switches the profile there and activates it in that mode', (mode) => {
    const c = host.context(A, mode, { switchGeneration: '1' });
    expect(activate(c)).toBe('nix-fleet-activation=0');
    expect(host.nixEnvCalls()).toEqual([['--switch-generation', '1']]);
    expect(host.switchCalls()).toEqual([[A, mode]]);
    expect(host.state()).toMatchObject({ link: 'profile-1-link', current: A, boot: A, generations: untouched() });
  });
});
