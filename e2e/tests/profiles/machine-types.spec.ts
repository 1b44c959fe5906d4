// Machine types as the seed has them, in the example fleet and in a new one made with the real nx CLI:
// the fleet's own checks (nix-instantiate --parse, fleet-safety) plus what each profile switch
// evaluates to. The switches come from the real machine-type.nix, lib/host-module.nix and the host's
// configuration.nix, merged by nixpkgs' priority rule in e2e/support/nix/profile-switches.nix, a
// stand-in for nixpkgs' module system (which cannot be fetched here) with nixpkgs' own mkIf/mkMerge/
// mkOverride representations: it proves which definition wins and that none conflict.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignments, bare, fleetProblems, parseNix } from '../../support/fleet-safety';
import { nixFiles, unparsable } from '../../support/nix-parse';
import { profileSwitches, switchedOn } from '../../support/profile-switches';
import { commandProblems, workflowCommands, workflowErrors } from '../../support/workflow-commands';
import { createWorkspace, REPO_ROOT, type Workspace } from '../../support/workspace';

const SWITCHES = ['desktop', 'development', 'home', 'gaming', 'power-user', 'power-user.scientific.octave', 'server'];
const WORKSTATION = ['desktop', 'development', 'home', 'gaming', 'power-user', 'power-user.scientific.octave'];

describe('the example fleet', () => {
  it('ares is the seed\'s small laptop: no Rust, no productivity apps, no gaming, power-user or Octave', () => {
    expect(switchedOn(REPO_ROOT, 'ares', SWITCHES)).toEqual(['desktop', 'development', 'home']);
    const details = profileSwitches(REPO_ROOT, 'ares', ['development.languages.rust', 'home.productivity']);
    expect(details['development.languages.rust']).toEqual({ value: false, priority: 100, conflict: false });
    expect(details['home.productivity']).toEqual({ value: false, priority: 100, conflict: false });
  });

  it('workstation has everything: the desktop type plus Rust, ML and game dev', () => {
    expect(switchedOn(REPO_ROOT, 'workstation', [...SWITCHES, 'development.languages.rust', 'ml', 'gamedev'])).toEqual([
      ...WORKSTATION,
      'development.languages.rust',
      'ml',
      'gamedev',
    ]);
  });

  it('every example host has closure budgets; the laptop and the workstation have the seed\'s', () => {
    const budgets = (host: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'hosts', host, 'host.json'), 'utf-8')).budgets;
    for (const host of ['ares', 'workstation', 'web-server', 'database-server', 'docker-server', 'monitoring-server']) {
      expect({ host, budgets: budgets(host) }).toEqual({ host, budgets: { maxSize: expect.any(String), maxGrowth: expect.any(String) } });
    }
    expect(budgets('ares').maxSize).toBe('12GB');
    expect(budgets('workstation').maxSize).toBe('20GB');
  });
});

describe('machine types are stated once', () => {
  const types = JSON.parse(readFileSync(join(REPO_ROOT, 'packages/profiles/lib/machine-types.json'), 'utf-8'));
  const names = ['laptop', 'desktop', 'server', 'vm'];

  it('docs/Profile-System.md lists exactly the profiles and settings of lib/machine-types.json', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/Profile-System.md'), 'utf-8');
    const table = doc.split('<!-- machine-types -->')[1].split('<!-- /machine-types -->')[0];
    const rows = table.split('\n').filter((l) => /^\| `/.test(l));
    const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const documented = Object.fromEntries(
      rows.map((row) => {
        const [, type, profiles, settings] = row.split('|');
        return [ticks(type)[0], { profiles: ticks(profiles), settings: ticks(settings) }];
      }),
    );
    expect(documented).toEqual(Object.fromEntries(names.map((t) => [t, { profiles: types[t].profiles, settings: types[t].settings }])));
  });

  it('machine-type.nix sets every other setting the file lists, with mkDefault', () => {
    const set = assignments(parseNix(join(REPO_ROOT, 'packages/profiles/machine-type.nix')));
    for (const setting of names.flatMap((t) => types[t].settings as string[])) {
      const found = set.filter((a) => a.path.join('.') === setting);
      expect({ setting, values: found.map((a) => bare(a.value)) }).toEqual({ setting, values: ['mkDefault true'] });
    }
  });
});

describe('a new fleet made with the real nx CLI', () => {
  let ws: Workspace;
  let out: string;
  beforeAll(() => {
    ws = createWorkspace(`nix-fleet-types-${process.pid}-`);
    ws.nx(['g', '@nix-fleet/nx:init', '--fleet']);
    out = ws.nx(['g', '@nix-fleet/nx:host', 'workstation', '--type=desktop']).stdout;
    ws.nx(['g', '@nix-fleet/nx:host', 'ares', '--type=laptop']);
    ws.nx(['g', '@nix-fleet/nx:host', 'web1', '--type=server', '--roles=web', '--target-host=10.0.0.11']);
    ws.commit('a new fleet');
  });
  afterAll(() => ws?.remove());

  it('nx g host workstation --type=desktop says what the type switched on, and the fleet passes its own checks', () => {
    expect(out).toContain(
      'Type desktop switched on desktop, development, home, gaming, power-user, power-user.scientific.octave (packages/profiles/lib/machine-types.json); nixpkgs unstable.',
    );
    expect(unparsable(ws.root, nixFiles(ws.root))).toEqual([]);
    expect(fleetProblems(ws.root)).toEqual([]);
  });

  it('the desktop has desktop, development, gaming and power-user with Octave; the laptop none of gaming, power-user or Octave', () => {
    expect(switchedOn(ws.root, 'workstation', SWITCHES)).toEqual(WORKSTATION);
    expect(switchedOn(ws.root, 'ares', SWITCHES)).toEqual(['desktop', 'development', 'home']);
    expect(switchedOn(ws.root, 'web1', SWITCHES)).toEqual(['server']);
    for (const host of ['workstation', 'ares', 'web1']) {
      const conflicts = Object.entries(profileSwitches(ws.root, host, SWITCHES)).filter(([, x]) => x.conflict);
      expect({ host, conflicts }).toEqual({ host, conflicts: [] });
    }
  });

  it('turning gaming and Octave off in the generated configuration.nix wins over the type, without a conflict', () => {
    const file = join(ws.root, 'hosts/workstation/configuration.nix');
    const text = readFileSync(file, 'utf-8');
    try {
      // The lines the generator wrote, uncommented: what a user does.
      writeFileSync(file, text.replace('# gaming.enable = false;', 'gaming.enable = false;').replace('# "power-user".scientific.octave.enable = false;', '"power-user".scientific.octave.enable = false;'));
      const s = profileSwitches(ws.root, 'workstation', WORKSTATION);
      expect(s.gaming).toEqual({ value: false, priority: 100, conflict: false });
      expect(s['power-user.scientific.octave']).toEqual({ value: false, priority: 100, conflict: false });
      expect(s['power-user']).toEqual({ value: true, priority: 1000, conflict: false });
      expect(unparsable(ws.root, ['hosts/workstation/configuration.nix'])).toEqual([]);
    } finally {
      writeFileSync(file, text);
    }
  });

  it('turning gaming and Octave off in host.json ("disabledProfiles") wins over the type too, and the graph accepts it', () => {
    const file = join(ws.root, 'hosts/workstation/host.json');
    const text = readFileSync(file, 'utf-8');
    try {
      writeFileSync(file, JSON.stringify({ ...JSON.parse(text), disabledProfiles: ['gaming', 'power-user.scientific.octave'] }, null, 2));
      const s = profileSwitches(ws.root, 'workstation', WORKSTATION);
      expect(s.gaming).toEqual({ value: false, priority: 100, conflict: false });
      expect(s['power-user.scientific.octave']).toEqual({ value: false, priority: 100, conflict: false });
      expect(switchedOn(ws.root, 'workstation', WORKSTATION)).toEqual(['desktop', 'development', 'home', 'power-user']);
      expect(JSON.parse(ws.nx(['show', 'project', 'workstation', '--json']).stdout).tags).not.toContain('nix-fleet:invalid');
      expect(fleetProblems(ws.root)).toEqual([]);
    } finally {
      writeFileSync(file, text);
    }
  });

  it('the check sees a conflict when the type sets its presets without mkDefault', () => {
    const file = join(ws.root, 'packages/profiles/machine-type.nix');
    const config = join(ws.root, 'hosts/workstation/configuration.nix');
    const [text, configText] = [readFileSync(file, 'utf-8'), readFileSync(config, 'utf-8')];
    try {
      expect(text).toContain('(mkDefault true)');
      writeFileSync(file, text.replace('(mkDefault true)', 'true'));
      writeFileSync(config, configText.replace('# gaming.enable = false;', 'gaming.enable = false;'));
      expect(profileSwitches(ws.root, 'workstation', ['gaming']).gaming).toEqual({ value: true, priority: 100, conflict: true });
    } finally {
      writeFileSync(file, text);
      writeFileSync(config, configText);
    }
  });

  it('ships a CI workflow that GitHub\'s workflow schema accepts, and a broken one it refuses', () => {
    const text = readFileSync(join(ws.root, '.github/workflows/nix-fleet.yml'), 'utf-8');
    expect(workflowErrors(text)).toEqual([]);
    expect(workflowErrors(text.replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest')).join('\n')).toMatch(/Additional property 'runs_on' is not allowed/);
    expect(workflowErrors(text.replace('timeout-minutes: 180', 'timeout-minutes: soon')).length).toBeGreaterThan(0);
  });

  it('every nx and nix command of the workflow exists in the fleet: targets, their options, nix flags', () => {
    const text = readFileSync(join(ws.root, '.github/workflows/nix-fleet.yml'), 'utf-8');
    const commands = workflowCommands(text);
    expect(commands.map((c) => c.join(' '))).toEqual([
      'nix flake check --no-build',
      'npx nx run-many -t eval',
      'npx nx affected -t build --cacheTo=$NIX_CACHE_URL --signingKey=$key',
      'npx nx affected -t build',
      'npx nx affected -t closure-size',
    ]);
    const hosts = ['workstation', 'ares', 'web1'];
    expect(commandProblems(ws, hosts, commands)).toEqual([]);
    // The check itself: a renamed target, a misspelt option and an unknown nix flag are all named.
    const broken = workflowCommands(text.replace('-t eval', '-t evaluate').replace('--signingKey=', '--signing-keyfile=').replace('--no-build', '--no-builds'));
    expect(commandProblems(ws, ['web1'], broken)).toEqual([
      'nix flake check --no-builds: nix flake check has no flag --no-builds',
      'npx nx run-many -t evaluate: host web1 has no target "evaluate"',
      'npx nx affected -t build --cacheTo=$NIX_CACHE_URL --signing-keyfile=$key: the build executor has no option "signing-keyfile"',
    ]);
  });
});
