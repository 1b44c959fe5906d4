// Local apply: a host whose targetHost is localhost (with allowLocalTargets in nx.json), or any
// host with --local, is deployed, rolled back, listed and exec'd on this machine without ssh,
// through the same steps; without either it is refused before anything runs. The
// fixture system, profile, running-system link, lock and state all live in a temp folder, so
// the test machine's own system is never touched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nixString } from '../../../packages/nix-fleet-plugin/src/generators/shared/nix-text';
import { builtOutPath } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import { createNixCounter } from '../../support/nix-counter';
import { createWorkspace, type Workspace } from '../../support/workspace';

const linkOf = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return '';
  }
};

describe('local apply', () => {
  let ws: Workspace;
  let fix: string;
  let paths: string[];
  const machine = { current: '', profile: '' };

  /** switch-to-configuration that records itself and moves the fixture's running-system link. */
  const switchScript = () =>
    [
      '#!/bin/sh',
      'sys=$(cd "$(dirname "$0")/.." && pwd)',
      `echo "$1 $sys" >> ${fix}/activations.log`,
      `case "$1" in switch|test) ln -sfn "$sys" ${fix}/current-system ;; esac`,
      'echo "activated $1 $sys"',
      '',
    ].join('\n');
  const host = (name: string, version: string, targetHost: string): FixtureHost => ({
    name,
    packages: [{ name: `${name}-app`, version, size: 4096 }],
    hostJson: { deployment: { targetHost } },
    extraConfig: `  switchScript = ${nixString(switchScript())};\n`,
  });
  const nx = (args: string[]) => {
    const r = ws.nx([...args, ...paths], { allowFailure: true });
    return { status: r.status, out: r.stdout + r.stderr };
  };
  const activations = () => readFileSync(join(fix, 'activations.log'), 'utf-8').trim().split('\n');

  beforeAll(() => {
    machine.current = linkOf('/run/current-system');
    machine.profile = linkOf('/nix/var/nix/profiles/system');
    fix = realpathSync(mkdtempSync(join(tmpdir(), 'nix-fleet-local-')));
    mkdirSync(join(fix, 'profiles'));
    paths = [`--profilePath=${fix}/profiles/system`, `--currentSystemPath=${fix}/current-system`, `--stateDir=${fix}/state`];
    ws = createWorkspace('nix-fleet-local-ws-', { allowLocalTargets: true });
    writeFixtureFleet(ws.root, [host('here', '1.0', 'localhost'), host('there', '1.0', 'there.invalid')]);
    ws.commit('fleet 1.0');
  });

  afterAll(() => {
    ws?.remove();
    if (fix) rmSync(fix, { recursive: true, force: true });
  });

  it('refuses a host.json naming this machine without --local or the nx.json opt-in, before anything runs', () => {
    const optedIn = readFileSync(join(ws.root, 'nx.json'), 'utf-8');
    const counter = createNixCounter();
    try {
      writeFileSync(join(ws.root, 'nx.json'), optedIn.replace('"allowLocalTargets": true', '"allowLocalTargets": false'));
      const r = ws.nx(['run', 'here:deploy', `--lockDir=${fix}/lock`, ...paths], { allowFailure: true, env: counter.env });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('Host "here" deploys to localhost, which is this machine: its activation would run as root here. Nothing was run.');
      expect(r.stdout + r.stderr).toContain('Pass --local to mean it (nx run here:deploy --local)');
      // Refused by its eval task: nothing evaluated, built or activated.
      expect(counter.calls().filter((c) => c !== '--version')).toEqual([]);
      expect(existsSync(join(fix, 'activations.log'))).toBe(false);
    } finally {
      writeFileSync(join(ws.root, 'nx.json'), optedIn);
    }
  });

  it('deploys A and B, rolls back to A, lists both, and runs a command: all without ssh', () => {
    const deploy = (version: string) => {
      if (version !== '1.0') {
        writeFixtureHost(ws.root, host('here', version, 'localhost'));
        ws.commit(`here ${version}`);
      }
      const r = nx(['run', 'here:deploy', `--lockDir=${fix}/lock`]);
      expect(r.status).toBe(0);
      expect(r.out).not.toMatch(/> (ssh|nix copy)/);
      return builtOutPath(ws.root, 'here');
    };
    const A = deploy('1.0');
    const B = deploy('2.0');
    expect(readlinkSync(join(fix, 'profiles', 'system'))).toBe('system-2-link');
    expect(linkOf(join(fix, 'current-system'))).toBe(B);

    const back = nx(['run', 'here:rollback', `--lockDir=${fix}/lock`]);
    expect(back.status).toBe(0);
    expect(back.out).toContain(`here: rolled back from generation 2 (${B}) to generation 1 (${A})`);
    expect(readlinkSync(join(fix, 'profiles', 'system'))).toBe('system-1-link');
    expect(linkOf(join(fix, 'current-system'))).toBe(A);
    expect(activations()).toEqual([`switch ${A}`, `switch ${B}`, `switch ${A}`]);
    // The deployer confirmed (the watchdog stood down) and released the lock.
    expect(linkOf(join(fix, 'lock'))).toBe('');

    const gens = nx(['run', 'here:generations']);
    expect(gens.out).toContain(`here: 2 generations of ${fix}/profiles/system`);
    expect(gens.out).toMatch(new RegExp(`\\n\\s*1  \\S+ \\S+  yes      yes    ${A}`));

    const exec = ws.nx(['run', 'here:exec', `--command=readlink ${fix}/current-system; id -u`]);
    expect(exec.stdout).toContain(`here | ${A}\nhere | 0`);
  });

  it('--local acts on this machine whatever targetHost says, unless another host.json names this machine, and refuses a contradicting --targetHost', () => {
    const twin = nx(['run', 'there:generations', '--local']);
    expect(twin.status).not.toBe(0);
    expect(twin.out).toContain('--local and hosts/here/host.json all deploy to localhost (this machine): one machine would get another host\'s system.');
    writeFixtureHost(ws.root, host('here', '2.0', 'here.invalid'));
    ws.commit('here elsewhere');
    const r = nx(['run', 'there:generations', '--local']);
    expect(r.status).toBe(0);
    expect(r.out).toContain(`there: 2 generations of ${fix}/profiles/system`);
    const bad = ws.nx(['run', 'there:exec', '--local', '--targetHost=web1', '--command=true'], { allowFailure: true });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('--local and --targetHost=web1 contradict each other: --local means this machine. Pass one of them.');
  });

  it('left the test machine\'s own system and profile alone', () => {
    expect(linkOf('/run/current-system')).toBe(machine.current);
    expect(linkOf('/nix/var/nix/profiles/system')).toBe(machine.profile);
  });
});
