import type { ExecutorContext } from '@nx/devkit';
import { hostGenerator } from '../generators/host/generator';
import { treeWithProfiles } from '../../testing/test-tree';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  explainNixFailure,
  invalidHostJson,
  preflightBuild,
  preflightDeploy,
  readPreflightFacts,
  runDeploys,
  type PreflightFacts,
  type RunContextLike,
} from './preflight';

// The build executor passes its ExecutorContext as it is (checked by tsc).
export const contextFits = (context: ExecutorContext): RunContextLike => context;

const ready: PreflightFacts = {
  host: 'web1',
  flake: '.',
  hasFlakeNix: true,
  hasFlakeLock: true,
  hasInputs: true,
  hardwareConfiguration: '# detected\n{ ... }: { }\n',
  targetHost: '10.0.0.11',
};

describe('preflight', () => {
  it('finds nothing wrong with a locked flake, real hardware and a target', () => {
    expect(preflightBuild(ready)).toEqual([]);
    expect(preflightDeploy(ready)).toEqual([]);
  });

  it('stops at a workspace with no flake, naming init --fleet and the flake option', () => {
    expect(preflightBuild({ ...ready, hasFlakeNix: false, hasFlakeLock: false })).toEqual([
      {
        severity: 'error',
        message:
          "No flake.nix: web1 is built from the flake's nixosConfigurations.web1. Add the fleet skeleton with " +
          '"npx nx g @nix-fleet/nx:init --fleet", or set the plugin option "flake" in nx.json to the folder of your flake.nix.',
      },
    ]);
    expect(preflightBuild({ ...ready, flake: 'nix', hasFlakeNix: false })[0].message).toMatch(/^No nix\/flake\.nix:/);
  });

  it('stops at the placeholder the host generator writes, with the command that replaces it', async () => {
    const tree = treeWithProfiles();
    await hostGenerator(tree, { name: 'web1', type: 'server' });
    const hardwareConfiguration = tree.read('hosts/web1/hardware-configuration.nix', 'utf-8') ?? '';
    expect(preflightBuild({ ...ready, hardwareConfiguration })).toEqual([
      {
        severity: 'error',
        message:
          'hosts/web1/hardware-configuration.nix is still the placeholder written by nx g host. On the machine, run ' +
          '"nixos-generate-config --show-hardware-config > hosts/web1/hardware-configuration.nix" and commit the file.',
      },
    ]);
  });

  it("leaves the host's own broken host.json to its own error, and warns of another's", () => {
    const invalidHostJson = [
      { file: 'hosts/web1/host.json', error: 'Unexpected end of JSON input' },
      { file: 'hosts/web10/host.json', error: 'Unexpected token' },
    ];
    expect(preflightBuild({ ...ready, invalidHostJson }).map((p) => p.message)).toEqual([
      "hosts/web10/host.json is not valid JSON (Unexpected token). A flake that reads every host.json (nix-fleet's does) cannot evaluate web1 until that file is fixed.",
    ]);
  });

  it('needs no flake.lock for a flake without inputs', () => {
    expect(preflightBuild({ ...ready, hasFlakeLock: false, hasInputs: false })).toEqual([]);
  });

  it('warns, without stopping, when flake.lock is missing: nix flake lock is step one', () => {
    expect(preflightBuild({ ...ready, hasFlakeLock: false })).toEqual([
      {
        severity: 'warning',
        message:
          'No flake.lock beside flake.nix: Nix must download every flake input (nixpkgs) before it can build; ' +
          'run "nix flake lock" on a machine with network access (once), then commit flake.lock.',
      },
    ]);
  });

  it('stops a deploy with no targetHost before it spends a build', () => {
    expect(preflightDeploy({ ...ready, targetHost: undefined })).toEqual([
      {
        severity: 'error',
        message:
          'hosts/web1/host.json has no deployment.targetHost, so there is nowhere to deploy web1. Add it, e.g. ' +
          '"deployment": { "targetHost": "10.0.0.11" } (an address, hostname or ssh alias), or pass --target-host.',
      },
    ]);
  });
});

describe('invalid host.json files (every evaluation reads them all)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'preflight-'));
    const host = (name: string, text: string) => {
      mkdirSync(join(root, 'hosts', name), { recursive: true });
      writeFileSync(join(root, 'hosts', name, 'host.json'), text);
    };
    host('zeta', '{"type": "server", "system": "x86_64-linux",}');
    host('alpha', '{"type": "server", "system": "x86_64-linux"}');
    host('mid', '{"type": "laptop"');
    host('web1', '{"type": "server", "system": "x86_64-linux"}');
    mkdirSync(join(root, 'hosts', 'no-host-json'));
    writeFileSync(join(root, 'hosts', 'README.md'), '# not a host');
    writeFileSync(join(root, 'flake.nix'), '{ outputs = _: { }; }');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('names each broken file, sorted, and leaves the good ones and non-hosts alone', () => {
    expect(invalidHostJson(root).map((b) => b.file)).toEqual(['hosts/mid/host.json', 'hosts/zeta/host.json']);
    expect(invalidHostJson(join(root, 'nowhere'))).toEqual([]);
  });

  it("warns a good host's build before Nix runs, naming the other host's file, and does not stop it", () => {
    const problems = preflightBuild(readPreflightFacts(root, 'web1', '.'));
    // A broken file of another host fails only its own targets (the graph keeps the others); a
    // flake that reads every host.json fails in Nix, naming the file (lib/json-check.nix).
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(problems.filter((p) => p.severity === 'warning').map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^hosts\/mid\/host\.json is not valid JSON \(.+\)\. A flake that reads every host\.json \(nix-fleet's does\) cannot evaluate web1/),
        expect.stringMatching(/^hosts\/zeta\/host\.json is not valid JSON/),
      ]),
    );
    expect(preflightBuild({ ...ready, invalidHostJson: [] })).toEqual([]);
  });
});

describe('readPreflightFacts', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'preflight-facts-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const facts = (flake: string) => {
    writeFileSync(join(root, 'flake.nix'), flake);
    return readPreflightFacts(root, 'web1', '.', '10.0.0.11');
  };

  it('reads an empty folder as no flake, no lock, no inputs, no hardware file', () => {
    expect(readPreflightFacts(root, 'web1', '.')).toEqual({
      host: 'web1',
      flake: '.',
      hasFlakeNix: false,
      hasInputs: false,
      hasFlakeLock: false,
      hardwareConfiguration: undefined,
      targetHost: undefined,
      invalidHostJson: [],
    });
  });

  it('reads the hardware file, the lock and the target', () => {
    mkdirSync(join(root, 'hosts', 'web1'), { recursive: true });
    writeFileSync(join(root, 'hosts', 'web1', 'hardware-configuration.nix'), '{ }\n');
    writeFileSync(join(root, 'flake.lock'), '{}');
    expect(facts('{ outputs = _: { }; }')).toMatchObject({ hasFlakeNix: true, hasFlakeLock: true, hardwareConfiguration: '{ }\n', targetHost: '10.0.0.11' });
  });

  it.each([
    ['{\n  inputs.nixpkgs.url = "github:NixOS/nixpkgs";\n}', true],
    ['{\n inputs = { };\n}', true],
    ['{ description = "x";\ninputs = { };\n}', true],
    ['{\n  description = "a flake with no inputs";\n  outputs = _: { };\n}', false],
    ['{\n  xinputs = 1;\n}', false],
    ['{\n  inputsFrom = 1;\n}', false],
  ])('finds inputs in %j: %s', (flake, expected) => {
    expect(facts(flake).hasInputs).toBe(expected);
  });

  it('lists broken host.json files sorted by name, whatever order the folder lists them in', () => {
    const names = ['q', 'c', 'x', 'a', 'm', 'z', 'b', 'k', 'f', 'w', 'd', 'p'];
    for (const name of names) {
      mkdirSync(join(root, 'hosts', name), { recursive: true });
      writeFileSync(join(root, 'hosts', name, 'host.json'), '{');
    }
    expect(invalidHostJson(root).map((b) => b.file)).toEqual([...names].sort().map((n) => `hosts/${n}/host.json`));
  });
});

describe('runDeploys', () => {
  const targets = { build: { executor: '@nix-fleet/nx:build' }, ship: { executor: '@nix-fleet/nx:deploy' } };
  const context = {
    taskGraph: {
      tasks: {
        'web1:build': { target: { project: 'web1', target: 'build' } },
        'web1:ship': { target: { project: 'web1', target: 'ship' } },
        'web2:build': { target: { project: 'web2', target: 'build' } },
      },
    },
    projectsConfigurations: { projects: { web1: { targets }, web2: { targets } } },
  };
  it.each([
    ['web1', true],
    ['web2', false],
    ['web3', false],
  ])('%s deployed in this run (deploy target renamed "ship"): %s', (project, expected) => {
    expect(runDeploys(context, project)).toBe(expected);
  });
  it('is false without a task graph', () => expect(runDeploys({}, 'web1')).toBe(false));
  it('is false for a task of a target the project does not have', () => {
    const graph = { tasks: { 'web1:gone': { target: { project: 'web1', target: 'gone' } } } };
    expect(runDeploys({ ...context, taskGraph: graph }, 'web1')).toBe(false);
    expect(runDeploys({ taskGraph: graph }, 'web1')).toBe(false);
  });
});

// stderr as Nix 2.8 prints it (recorded here, offline, in a network namespace with no interfaces).
describe('explainNixFailure', () => {
  it.each([
    [
      'a flake input with no lock and no network',
      "warning: you don't have Internet access; disabling some network-dependent features\n" +
        "error: unable to download 'https://api.github.com/repos/NixOS/nixpkgs/commits/nixos-25.05': Couldn't resolve host name (6)\n" +
        "(use '--show-trace' to show detailed location information)\n",
      "Nix could not download https://api.github.com/repos/NixOS/nixpkgs/commits/nixos-25.05 (Couldn't resolve host name (6)). " +
        'That is a flake input, and without a flake.lock pinning it Nix looks it up on the network. Step one: run "nix flake lock" ' +
        'on a machine with network access (once), then commit flake.lock; Nix then fetches each pinned input once and keeps it in /nix/store.',
    ],
    [
      'flakes switched off',
      "error: experimental Nix feature 'nix-command' is disabled; use '--extra-experimental-features nix-command' to override\n",
      'Nix has the feature "nix-command" off. Add "experimental-features = nix-command flakes" to /etc/nix/nix.conf ' +
        '(or ~/.config/nix/nix.conf) and run the task again.',
    ],
    [
      'the hardware placeholder',
      'error: hosts/a/hardware-configuration.nix is still the placeholder written by nx g host.\n',
      'hosts/a/hardware-configuration.nix is still the placeholder. On the machine, run ' +
        '"nixos-generate-config --show-hardware-config > hosts/a/hardware-configuration.nix" and commit the file.',
    ],
    [
      'a file git does not track',
      "error: getting status of '/nix/store/j6i1154crkri2cpslzdkhrgvpwgyabv9-source/hosts/a/extra.nix': No such file or directory\n",
      'The flake has no hosts/a/extra.nix: a flake sees only the files git tracks. Run "git add hosts/a/extra.nix" (or git add -A) and run the task again.',
    ],
  ])('explains %s', (_what, stderr, explanation) => {
    expect(explainNixFailure(stderr)).toBe(explanation);
  });

  it('sends other downloads to the network and the substituters, with the reason trimmed', () => {
    expect(explainNixFailure("error: unable to download 'https://cache.example.org/x.narinfo': HTTP error 404  \nmore")).toBe(
      'Nix could not download https://cache.example.org/x.narinfo (HTTP error 404). Check the network, or the substituters in nix.conf.',
    );
    expect(explainNixFailure("error: unable to download 'https://cache.example.org/x.narinfo'\n")).toBe(
      'Nix could not download https://cache.example.org/x.narinfo. Check the network, or the substituters in nix.conf.',
    );
  });

  it('says nothing about a failure it does not know', () => {
    expect(explainNixFailure('error: attribute \'x\' missing\n')).toBeUndefined();
  });
});
