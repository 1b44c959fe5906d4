// npm run demo: the offline tour. A three-host fleet on the fixture flake, built, sized and
// deployed to three local test hosts (network namespaces with their own /nix and sshd); then a
// change to one host and a change to one profile, and what Nx and Nix rebuild and redeploy.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, builtOutPath, readLink } from '../../e2e/support/deploy-fixtures';
import { startTestHosts, type TestNetwork } from '../../e2e/support/test-hosts';
import { useNetworkSshConfig } from '../../e2e/support/deploy-fixtures';
import { createWorkspace, nxEnv, REPO_ROOT, type Workspace } from '../../e2e/support/workspace';
import { bumpVersion, demoHosts, writeDemoFleet, type DemoHost } from './fleet';
import { check, note, sh, step, table } from './say';

const NX = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
let net: TestNetwork | undefined;
let ws: Workspace | undefined;

const nx = (args: string[]) => sh(process.execPath, [NX, ...args], { cwd: ws!.root, env: nxEnv(), shown: `nx ${args.join(' ')}` });

const outPaths = (hosts: DemoHost[]) => Object.fromEntries(hosts.map((h) => [h.name, builtOutPath(ws!.root, h.name)]));
const short = (storePath: string) => storePath.replace(/^\/nix\/store\/(.{8}).*-(nixos-system-.*)$/, '$1…-$2');
const sameSet = (a: string[], b: string[]) => [...a].sort().join(',') === [...b].sort().join(',');

function affected(expected: string[], why: string): void {
  const listed = JSON.parse(nx(['show', 'projects', '--affected', '--base=HEAD~1', '--json']).stdout) as string[];
  note(why);
  check(sameSet(listed, expected), `nx affected to list ${expected.join(', ')}, it listed ${listed.join(', ')}`);
}

function deployCounts(): Record<string, number> {
  return JSON.parse(readFileSync(join(ws!.root, 'dist/deploy/summary.json'), 'utf-8')).counts;
}

async function onHosts(hosts: DemoHost[]): Promise<Record<string, { running: string; activations: number }>> {
  const rows: [string, { running: string; activations: number }][] = [];
  for (const h of hosts) rows.push([h.name, { running: await readLink(h.target, '/run/current-system'), activations: (await activations(h.target)).length }]);
  const state = Object.fromEntries(rows);
  table(
    ['host', 'test host', 'running system (/run/current-system on the host)', 'activations'],
    hosts.map((h) => [h.name, `${h.target.name} ${h.target.address}`, short(state[h.name].running), String(state[h.name].activations)]),
  );
  return state;
}

async function tour(): Promise<void> {
  step('Check the machine', 'Nix, OpenSSH and iproute2 come from bash tools/setup.sh; nothing here needs NixOS or the network.');
  sh('nix', ['--version'], { cwd: REPO_ROOT });
  sh('ssh', ['-V'], { cwd: REPO_ROOT });

  step('Start three test hosts', 'Each is a network namespace with a 10.x address, its own empty /nix, /run and sshd: a stand-in for a NixOS machine.');
  net = await startTestHosts(3, { namePrefix: 'node' });
  // The test hosts' ssh config is the deploying machine's own: host.json cannot name one.
  useNetworkSshConfig(net);
  table(['test host', 'address', 'namespace'], net.hosts.map((h) => [h.name, h.address, h.namespace]));

  step('Write a fleet of three hosts in a temp workspace', 'web1 and web2 import the web profile, the laptop ares does not. The flake is a fixture that stands in for nixpkgs.');
  ws = createWorkspace(`nix-fleet-demo-${process.pid}-`);
  const hosts = demoHosts(net);
  const files = writeDemoFleet(ws.root, hosts, net);
  ws.commit('a fleet of three');
  note(`in ${ws.root}:`);
  for (const file of files) note(`  ${file}`);
  sh('cat', ['hosts/web1/host.json'], { cwd: ws.root });
  nx(['show', 'projects']);

  step('Build every host', 'One shared evaluation of the three hosts (the eval targets), then one nix build per host of the derivation it found; dist/hosts/<host>/build.json records the store path (that record is what Nx caches).');
  nx(['run-many', '-t', 'build']);
  const first = outPaths(hosts);
  table(['host', 'built system'], hosts.map((h) => [h.name, short(first[h.name])]));

  step('Closure sizes', 'What each host would download: its whole closure, in one fleet table. Recorded as each host\'s baseline, so later changes show growth and package versions.');
  nx(['run-many', '-t', 'closure-size', '--update-baseline']);
  ws.commit('closure baselines');

  step('Deploy to the three test hosts', 'nix copy over ssh, switch-to-configuration, confirm over a fresh connection; a host that fails rolls back.');
  nx(['run-many', '-t', 'deploy']);
  check(deployCounts().deployed === 3, 'three hosts deployed');
  const deployed = await onHosts(hosts);
  for (const h of hosts) check(deployed[h.name].running === first[h.name], `${h.name} to run ${first[h.name]}`);

  step('Change one host: ares gets editor 1.1', 'Only the host whose system changed is rebuilt and redeployed.');
  bumpVersion(ws.root, 'hosts/ares/configuration.nix', 'editor', '1.0', '1.1');
  sh('git', ['diff', '--stat'], { cwd: ws.root });
  ws.commit('ares: editor 1.1');
  affected(
    hosts.map((h) => h.name),
    "Nx: the flake hands the hosts/ folder to its library, so one host's files are every host's eval input: all three are evaluated again, in one shared evaluation ...",
  );
  const rebuilt = nx(['affected', '-t', 'build', '--base=HEAD~1']).stdout;
  note('... and only ares has a new derivation, so only ares is built.');
  check(rebuilt.includes('nix-fleet: 3 hosts affected, 1 system changed, 2 unchanged; 3 evaluated'), 'one system built, two taken from the Nx cache');
  nx(['affected', '-t', 'deploy', '--base=HEAD~1']);
  check(deployCounts().deployed === 1, 'one host deployed');
  const second = outPaths(hosts);
  const afterHost = await onHosts(hosts);
  check(afterHost.ares.activations === 2 && afterHost.web1.activations === 1 && afterHost.web2.activations === 1, 'only ares activated again');

  step('Change a profile: the web profile gets nginx 1.27', 'web1 and web2 import it; ares does not.');
  bumpVersion(ws.root, 'packages/profiles/web.nix', 'nginx', '1.26', '1.27');
  sh('git', ['diff', '--stat'], { cwd: ws.root });
  ws.commit('web profile: nginx 1.27');
  affected(
    [...hosts.map((h) => h.name), 'profiles'],
    'Nx: every host depends on the profiles project, so all three are affected and evaluated again, in one shared evaluation (Nx cannot see which profile a host imports) ...',
  );
  const built = nx(['affected', '-t', 'build', '--base=HEAD~1']).stdout;
  const third = outPaths(hosts);
  note('... but a build is keyed by the derivation Nix evaluated: only the systems that import the web profile are new, so only they are built; ares\'s build is an Nx cache hit.');
  check(built.includes('nix-fleet: 3 hosts affected, 2 systems changed, 1 as before; 3 evaluated'), 'Nx to build two systems and take ares from its cache');
  table(['host', 'before', 'after', 'new system?'], hosts.map((h) => [h.name, short(second[h.name]), short(third[h.name]), second[h.name] === third[h.name] ? 'no' : 'yes']));
  check(third.web1 !== second.web1 && third.web2 !== second.web2 && third.ares === second.ares, 'new systems for web1 and web2 only');
  note('Against the baselines: the web servers changed nginx 1.26 -> 1.27; ares still has its editor 1.1 from step 7.');
  nx(['affected', '-t', 'closure-size', '--base=HEAD~1', '--output-style=static']);
  nx(['affected', '-t', 'deploy', '--base=HEAD~1']);
  const counts = deployCounts();
  check(counts.deployed === 2 && counts.unchanged === 1, 'web1 and web2 deployed, ares unchanged');
  note('So deploy copied and activated web1 and web2, and left ares alone: it already runs that system.');
  const last = await onHosts(hosts);
  check(last.web1.activations === 2 && last.web2.activations === 2 && last.ares.activations === 2, 'web1 and web2 activated again, ares not');
}

async function teardown(): Promise<void> {
  step('Tear down', 'Kill the test hosts\' processes, delete their namespaces and the temp workspace.');
  const names = net?.hosts.map((h) => h.namespace) ?? [];
  await net?.teardown();
  ws?.remove();
  const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf-8' });
  check(!names.some((n) => left.includes(n)), 'no namespace of the tour left');
  note(`removed ${names.length} namespaces and ${ws?.root ?? 'no workspace'}`);
}

process.once('exit', () => ws?.remove());
tour()
  .then(teardown)
  .then(() => console.log('\nTour done: built, sized, deployed, changed one host and one profile, redeployed only what changed.'))
  .catch(async (e: Error) => {
    await teardown().catch(() => undefined);
    console.error(`\ndemo: ${e.message}`);
    process.exitCode = 1;
  });
