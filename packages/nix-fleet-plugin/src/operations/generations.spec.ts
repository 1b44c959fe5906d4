// The generations listing: the script runs in a real /bin/sh against a temp profile, and its
// output is parsed into generations with running, boots and failed marked.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedSystems, generationOf, parseGenerations } from './generations';
import { listGenerationsArgv } from './generations-script';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nix-fleet-gens-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function system(name: string, activatable = true): string {
  const sys = join(dir, 'store', name);
  mkdirSync(join(sys, 'bin'), { recursive: true });
  if (activatable) {
    writeFileSync(join(sys, 'bin', 'switch-to-configuration'), '#!/bin/sh\n');
    chmodSync(join(sys, 'bin', 'switch-to-configuration'), 0o755);
  }
  return sys;
}

describe('generations', () => {
  it('lists every generation link in one run: running, boots, failed, not a system', () => {
    const [a, b, c] = [system('a'), system('b'), system('c', false)];
    const profiles = join(dir, 'profiles');
    mkdirSync(profiles);
    symlinkSync(a, join(profiles, 'system-1-link'));
    symlinkSync(b, join(profiles, 'system-2-link'));
    symlinkSync(c, join(profiles, 'system-10-link'));
    symlinkSync('system-2-link', join(profiles, 'system'));
    symlinkSync('not-a-generation', join(profiles, 'system-x-link'));
    symlinkSync(a, join(dir, 'current'));
    // A deploy run of b that was rolled back, then a later one that was confirmed; c failed.
    for (const [token, system, rc, result, time] of [['d1', b, '1', 'rolled-back', 100], ['d2', b, '0', 'confirmed', 200], ['d3', c, '2', '', 300]] as const) {
      mkdirSync(join(dir, 'state', token, 'decision'), { recursive: true });
      writeFileSync(join(dir, 'state', token, 'system'), `${system}\n`);
      writeFileSync(join(dir, 'state', token, 'activation.rc'), `${rc}\n`);
      if (result) writeFileSync(join(dir, 'state', token, 'decision', 'result'), `${result}\n`);
      utimesSync(join(dir, 'state', token), time, time);
    }
    const [cmd, ...args] = listGenerationsArgv(join(profiles, 'system'), join(dir, 'current'), join(dir, 'state'));
    const r = spawnSync(cmd, args, { encoding: 'utf-8' });
    expect(r.status).toBe(0);
    const parsed = parseGenerations(r.stdout);
    expect(parsed.running).toBe(a);
    expect(parsed.current).toBe(2);
    expect(parsed.generations.map(({ date, ...g }) => (expect(date).toMatch(/^20\d\d-/), g))).toEqual([
      { number: 1, system: a, running: true, boots: false, activatable: true, failed: false },
      { number: 2, system: b, running: false, boots: true, activatable: true, failed: false },
      { number: 10, system: c, running: false, boots: false, activatable: false, failed: true },
    ]);
  });

  it('a host with no profile has no generations and no current one', () => {
    const [cmd, ...args] = listGenerationsArgv(join(dir, 'none', 'system'), join(dir, 'nothing'), join(dir, 'state'));
    expect(parseGenerations(spawnSync(cmd, args, { encoding: 'utf-8' }).stdout)).toEqual({ running: '', current: undefined, generations: [] });
  });

  it('the latest run of a system decides whether it failed', () => {
    const runs = [
      { time: 1, rc: '0', decision: 'confirmed', system: 'x' },
      { time: 2, rc: '0', decision: 'rolled-back', system: 'x' },
      { time: 3, rc: '-', decision: '-', system: 'y' },
      { time: 4, rc: '3', decision: '-', system: 'z' },
    ];
    expect([...failedSystems(runs)].sort()).toEqual(['x', 'z']);
  });

  it.each([
    ['system-41-link', 41],
    ['/nix/var/nix/profiles/system-7-link', 7],
    ['system', undefined],
    ['', undefined],
  ])('generationOf(%j) = %j', (link, n) => expect(generationOf(link)).toBe(n));
});
