// The shared remote shell functions, run in dash, bash and busybox ash against temp dirs that
// stand in for a target: which generations a rollback may delete, stopping a process group that
// ignores SIGTERM, and pruning old deploy state.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REMOTE_FUNCTIONS } from './remote-functions';
import { contextArgs, PRELUDE } from './remote-scripts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'nix-fleet-functions-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SHELLS = [['sh'], ['dash'], ['bash'], ['/bin/busybox', 'sh']];
const isLink = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;

/** Runs `call` after the given shell text in `shell`, with args as $1.. */
function call(text: string, body: string, args: string[], shell = ['sh'], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(shell[0], [...shell.slice(1), '-c', `${text}\n${body}`, 'nix-fleet', ...args], { encoding: 'utf-8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A profile with generation links numbered `numbers`; `current` is the one the profile points at. */
function profile(numbers: number[], current: number): string {
  const p = join(dir, 'system');
  for (const n of numbers) symlinkSync(join(dir, `sys${n}`), `${p}-${n}-link`);
  symlinkSync(`system-${current}-link`, p);
  // Not generations of this profile: another profile's and a name that is no number.
  symlinkSync(join(dir, 'x'), join(dir, 'system-profiles-link'));
  symlinkSync(join(dir, 'x'), join(dir, 'systemd-7-link'));
  return p;
}

describe.each(SHELLS)('in %s', (...shell) => {
  const newer = (p: string, max: string) => call(REMOTE_FUNCTIONS, 'newer_generations "$1" "$2"', [p, max], shell).out.split('\n').filter(Boolean);
  const highest = (p: string) => call(REMOTE_FUNCTIONS, 'max_generation "$1"', [p], shell).out.trim();

  it.each([
    // [generations before the run, generations after it, the run's numbers to delete]
    ['a new generation after a gap', [1, 2, 5], [1, 2, 5, 6], ['6']],
    ['a number nix-env --set reused (the newest held the same system)', [1, 2], [1, 2], []],
    ['a rollback after a rollback: the profile points at 1, the newest is 3', [1, 2, 3], [1, 2, 3, 4], ['4']],
    ['9 and 10: numbers, not text', [9], [9, 10], ['10']],
    ['10 before the run', [9, 10], [9, 10], []],
    ['a fresh profile', [], [1], ['1']],
  ])('deletes only generations above the highest under the lock: %s', (_what, before, after, deleted) => {
    const p = profile(before, before[0] ?? 1);
    const max = highest(p);
    expect(max).toBe(String(Math.max(0, ...before)));
    for (const n of after.filter((n) => !before.includes(n))) symlinkSync(join(dir, `sys${n}`), `${p}-${n}-link`);
    expect(newer(p, max)).toEqual(deleted);
  });

  it('names no generation when the highest is unknown or not a number', () => {
    const p = profile([1, 2], 2);
    expect(newer(p, '')).toEqual([]);
    expect(newer(p, '1; rm -rf /')).toEqual([]);
  });

  it('stops a process group that ignores SIGTERM with SIGKILL, and returns only once it is gone', async () => {
    const marker = join(dir, 'landed');
    // The whole group ignores TERM (sleep inherits the ignored signal): only SIGKILL stops it.
    const child = spawn('sh', ['-c', `trap '' TERM; touch ${dir}/ready; sleep 3; touch ${marker}`], { detached: true, stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(join(dir, 'ready')); i++) await new Promise((r) => setTimeout(r, 20));
    const r = call(REMOTE_FUNCTIONS, 'stop_grace=1; stop_group "$1" "$stop_grace"; echo "rc=$?"; group_alive "$1" && echo alive || echo gone', [String(child.pid)], shell);
    expect(r.out).toBe('rc=0\ngone\n');
    expect(r.err).toContain(`process group ${child.pid} ignored SIGTERM for 1s: sending SIGKILL`);
    expect(existsSync(marker)).toBe(false);
  });

  it('prunes deploy state but the newest few, never the lock or a run whose watchdog still runs', () => {
    const state = join(dir, 'run');
    const tokens = ['dmi1aaaa0a1b2c3d1', 'dmi1aaaa0a1b2c3d2', 'dmi1aaaa0a1b2c3d3', 'dmi1aaaa0a1b2c3d4', 'dmi1aaaa0a1b2c3d5'];
    for (const t of tokens) mkdirSync(join(state, t), { recursive: true });
    for (const t of tokens) writeFileSync(join(state, t, 'activation.log'), '');
    mkdirSync(join(state, 'deploy.lock'));
    mkdirSync(join(state, 'dlock'));
    writeFileSync(join(state, tokens[0], 'watchdog.pid'), `${process.pid}\n`);
    writeFileSync(join(state, tokens[1], 'watchdog.pid'), '999999999\n');
    call(REMOTE_FUNCTIONS, 'prune_runs "$1" "$2" "$3"', [state, '2', join(state, 'dlock')], shell);
    expect(readdirSync(state).sort()).toEqual(['deploy.lock', 'dlock', tokens[0], tokens[3], tokens[4]]);
  });

  it('pruning never deletes outside deploy state: a stateDir that is a system folder, or a symlink to one', () => {
    // A stateDir set to /usr/bin by mistake: many names start with d and are plain lowercase.
    const system = join(dir, 'bin');
    const names = ['dash', 'date', 'dd', 'df', 'diff', 'dir', 'dmesg', 'du', 'dirname', 'dircolors', 'dpkg', 'dbus', 'd0', 'dmi1aaaa0a1b2c3d4'];
    for (const n of names) mkdirSync(join(system, n), { recursive: true });
    call(REMOTE_FUNCTIONS, 'prune_runs "$1" "$2" "$3"', [system, '2', join(system, 'deploy.lock')], shell);
    expect(readdirSync(system).sort()).toEqual([...names].sort());
    // /run/nix-fleet replaced by a symlink to elsewhere: its real deploy folders are not ours to prune.
    const elsewhere = join(dir, 'elsewhere');
    const tokens = ['dmi1aaaa0a1b2c3d1', 'dmi1aaaa0a1b2c3d2', 'dmi1aaaa0a1b2c3d3'];
    for (const t of tokens) mkdirSync(join(elsewhere, t), { recursive: true });
    for (const t of tokens) writeFileSync(join(elsewhere, t, 'activation.log'), '');
    symlinkSync(elsewhere, join(dir, 'state'));
    call(REMOTE_FUNCTIONS, 'prune_runs "$1" "$2" "$3"', [join(dir, 'state'), '1', join(dir, 'state', 'deploy.lock')], shell);
    expect(readdirSync(elsewhere).sort()).toEqual(tokens);
  });
});

describe('restore_profile', () => {
  /** A nix-env that records its arguments and does what it is asked to the links. */
  function fakeNixEnv(): NodeJS.ProcessEnv {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'nix-env'),
      `#!/bin/sh\necho "$*" >> ${dir}/nix-env.log\ncase "$3" in\n  --switch-generation) ln -sfn "$(basename "$2")-$4-link" "$2" ;;\n  --delete-generations) rm -f "$2-$4-link" ;;\nesac\n`,
    );
    chmodSync(join(bin, 'nix-env'), 0o755);
    return { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  }
  const calls = () => (existsSync(join(dir, 'nix-env.log')) ? readFileSync(join(dir, 'nix-env.log'), 'utf-8').trim().split('\n') : []);
  /** A deploy context that set the profile p; restore_profile reads profile, set_profile, previous_profile_link and max_generation. */
  const args = (p: string, previousLink: string, max: string) =>
    contextArgs({
      // restore_profile reads none of the paths but the profile; read_context refuses them empty.
      profile: p, outPath: '/none/out', mode: 'switch', runDir: '/none/run', windowSeconds: 0, activationSeconds: 0, previousCurrent: '', lockDir: '/none/lock',
      setProfile: true, previousProfile: '', previousProfileLink: previousLink, currentSystemPath: '/none/current', switchGeneration: '', maxGeneration: max,
    });

  it('v1, v3, back to 1, v3 again fails: the profile returns to 1 and generation 2 (reused) stays', () => {
    const p = profile([1, 2], 1);
    const env = fakeNixEnv();
    // The failed redeploy: nix-env --set of v3 reused generation 2, the newest, which holds v3.
    symlinkSync('system-2-link', `${p}.tmp`);
    spawnSync('mv', ['-T', `${p}.tmp`, p]);
    const r = call(PRELUDE, 'read_context "$@"; restore_profile', args(p, 'system-1-link', '2'), ['sh'], env);
    expect(r).toMatchObject({ code: 0 });
    expect(calls()).toEqual([`-p ${p} --switch-generation 1`]);
    expect(isLink(`${p}-2-link`)).toBe(true);
    expect(readlinkSync(p)).toBe('system-1-link');
  });

  it('a deploy that made generation 6 after a gap deletes 6 only', () => {
    const p = profile([1, 2, 5, 6], 6);
    const env = fakeNixEnv();
    expect(call(PRELUDE, 'read_context "$@"; restore_profile', args(p, 'system-5-link', '5'), ['sh'], env)).toMatchObject({ code: 0 });
    expect(calls()).toEqual([`-p ${p} --switch-generation 5`, `-p ${p} --delete-generations 6`]);
    expect([1, 2, 5, 6].filter((n) => isLink(`${p}-${n}-link`))).toEqual([1, 2, 5]);
  });
});
