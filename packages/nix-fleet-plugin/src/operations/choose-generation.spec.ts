// Which generation a rollback on demand picks, and every way it refuses.
import { chooseGeneration } from './choose-generation';
import type { Generation, HostGenerations } from './generations';

const sys = (n: number) => `/nix/store/${String(n).repeat(32).slice(0, 32)}-nixos-system-web1`;
const gen = (number: number, over: Partial<Generation> = {}): Generation => ({
  number,
  date: '2026-12-02T10:00:00.000Z',
  system: sys(number),
  running: false,
  boots: false,
  activatable: true,
  failed: false,
  ...over,
});
const state = (current: number | undefined, gens: Generation[]): HostGenerations => ({
  running: current ? sys(current) : '',
  current,
  generations: gens.map((g) => ({ ...g, boots: g.number === current, running: g.number === current })),
});
const P = '/nix/var/nix/profiles/system';

describe('chooseGeneration', () => {
  it('picks the newest generation older than the current one, not simply N-1', () => {
    expect(chooseGeneration('web1', P, state(7, [gen(2), gen(5), gen(7), gen(9)]))).toEqual({ generation: 5, outPath: sys(5), from: 7 });
  });

  it('skips a failed deploy\'s system and a link that is no NixOS system', () => {
    const s = state(7, [gen(3), gen(5, { failed: true }), gen(6, { activatable: false }), gen(7)]);
    expect(chooseGeneration('web1', P, s).generation).toBe(3);
  });

  it('refuses a generation link that points outside /nix/store, even with --to', () => {
    const planted = state(7, [gen(5), gen(6, { system: '/tmp/evil' }), gen(7)]);
    expect(() => chooseGeneration('web1', P, planted, 6)).toThrow('web1: refusing --to=6: generation 6 (/tmp/evil, 2026-12-02T10:00:00.000Z) does not point into /nix/store, so it is no system Nix built.');
    expect(chooseGeneration('web1', P, planted)).toMatchObject({ generation: 5 });
  });

  it('--to switches to that generation, older or newer', () => {
    expect(chooseGeneration('web1', P, state(2, [gen(1), gen(2), gen(3)]), 3)).toEqual({ generation: 3, outPath: sys(3), from: 2 });
  });

  it.each([
    [state(1, [gen(1)]), undefined, 'web1 is on generation 1 of /nix/var/nix/profiles/system and has no older generation to roll back to. Its generations: 1 (current).'],
    [state(undefined, []), undefined, 'web1 has no generation of /nix/var/nix/profiles/system, so there is nothing to roll back to. Deploy it first.'],
    [state(2, [gen(1, { failed: true }), gen(2)]), undefined, 'has no older generation to roll back to (skipped: generation 1 ('],
    [state(2, [gen(1), gen(2)]), 4, 'web1 has no generation 4 of /nix/var/nix/profiles/system (it has: 1, 2 (current)). Pick one with --to=<number>; see nx run web1:generations.'],
    [state(2, [gen(1), gen(2)]), 2, 'web1 is already on generation 2'],
    [state(2, [gen(1, { failed: true }), gen(2)]), 1, 'is the system of a deploy that failed on this host'],
    [state(2, [gen(1, { activatable: false }), gen(2)]), 1, 'is not a NixOS system (it has no bin/switch-to-configuration)'],
  ])('refuses %#', (s, to, message) => {
    expect.assertions(1);
    try {
      chooseGeneration('web1', P, s, to);
    } catch (e) {
      expect((e as Error).message).toContain(message);
    }
  });
});
