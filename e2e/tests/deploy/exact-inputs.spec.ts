// Exact by evaluation (issue 22): a host that reads another host's file, a Markdown file and a
// force-added git-ignored file is evaluated again when any of them changes, so build and deploy
// give what `nix eval` gives at that commit; a doc no .nix file reaches evaluates nothing; and a
// host whose address now reaches another machine is refused before anything is copied.
// Real nx, nix, git, ssh and sshd in network namespaces.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activations, builtOutPath, deploymentFor, readLink, startDeployFleet, switchScriptConfig, type DeployFleet } from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeWorkspaceFile } from '../../support/fixture-fleet';
import { createNixCounter, evaluatedHosts } from '../../support/nix-counter';

/** cx1's configuration reads three files the old inputs left out. */
const CX1_CONFIGURATION = `# cx1 reads another host's file, a Markdown file and a git-ignored file added with git add -f.
{
  packages = [
    { name = "shared"; version = (import ../cx2/shared.nix).version; size = 16; }
    { name = "motd"; version = builtins.readFile ../../packages/profiles/motd.md; size = 16; }
    { name = "forced"; version = builtins.readFile ../../secrets/forced.txt; size = 16; }
  ];
${switchScriptConfig()}}
`;

describe('exact by evaluation, and the right machine', () => {
  let fleet: DeployFleet;
  const counter = createNixCounter();
  const ws = () => fleet.ws;
  const nixEval = (host: string) =>
    execFileSync('nix', ['eval', '--raw', `${ws().root}#nixosConfigurations.${host}.config.system.build.toplevel.outPath`], { encoding: 'utf-8' }).trim();
  const commit = (message: string) => {
    ws().commit(message);
    // `git add -A` stages a tracked ignored file's changes too; this says so explicitly.
    ws().git(['add', '-f', 'secrets/forced.txt']);
    ws().git(['commit', '-q', '--allow-empty', '-m', `${message} (forced)`]);
  };

  beforeAll(async () => {
    fleet = await startDeployFleet(2, 'cx', 'nix-fleet-inputs-');
    const [cx1] = fleet.net.hosts;
    // cx2 is a host of the fleet but deploys nowhere: its machine is only "another test host".
    writeFixtureFleet(ws().root, [
      { name: 'cx1', hostJson: deploymentFor(fleet.net, cx1), extraConfig: switchScriptConfig() },
      { name: 'cx2', hostJson: {} },
    ]);
    writeWorkspaceFile(ws().root, 'hosts/cx1/configuration.nix', CX1_CONFIGURATION);
    writeWorkspaceFile(ws().root, 'hosts/cx2/shared.nix', '{ version = "s1"; }\n');
    writeWorkspaceFile(ws().root, 'packages/profiles/motd.md', 'm1');
    writeWorkspaceFile(ws().root, 'secrets/forced.txt', 'f1');
    writeWorkspaceFile(ws().root, 'docs/guide.md', '# Guide\n');
    writeWorkspaceFile(ws().root, 'README.md', '# Fleet\n');
    writeFileSync(join(ws().root, '.gitignore'), `${readFileSync(join(ws().root, '.gitignore'), 'utf-8')}secrets/\n`);
    commit('fleet');
    ws().nx(['run', 'cx1:deploy']);
    expect(await readLink(cx1, '/run/current-system')).toBe(nixEval('cx1'));
  });
  afterAll(async () => fleet?.teardown());

  it.each([
    ['another host\'s file', 'hosts/cx2/shared.nix', '{ version = "s2"; }\n'],
    ['a Markdown file', 'packages/profiles/motd.md', 'm2'],
    ['a force-added git-ignored file', 'secrets/forced.txt', 'f2'],
  ])('a change to %s re-evaluates cx1: build gives what nix eval gives at that commit', (_what, file, text) => {
    const before = builtOutPath(ws().root, 'cx1');
    writeWorkspaceFile(ws().root, file, text);
    commit(`${file} changed`);
    counter.reset();
    ws().nx(['run', 'cx1:build'], { env: counter.env });
    expect(evaluatedHosts(counter.calls())).toContain('cx1');
    const now = nixEval('cx1');
    expect(now).not.toBe(before);
    expect(builtOutPath(ws().root, 'cx1')).toBe(now);
  });

  it('deploy activates what nix eval gives at this commit', async () => {
    const r = ws().nx(['run', 'cx1:deploy']);
    expect(r.stdout).toContain(`cx1: deployed ${nixEval('cx1')}`);
    expect(await readLink(fleet.net.hosts[0], '/run/current-system')).toBe(nixEval('cx1'));
  });

  it('an edit to docs/ or README.md that no .nix file reaches evaluates nothing for the build', () => {
    writeWorkspaceFile(ws().root, 'docs/guide.md', '# Guide, edited\n');
    writeWorkspaceFile(ws().root, 'README.md', '# Fleet, edited\n');
    commit('docs');
    counter.reset();
    const r = ws().nx(['run', 'cx1:build'], { env: counter.env });
    expect(counter.count('eval', 'build')).toBe(0);
    expect(r.stdout).toContain('cx1:eval');
    expect(r.stdout).toMatch(/read the output from the cache|existing outputs match the cache/);
  });

  it('a host whose address now reaches another test host is refused before anything is copied', async () => {
    const [cx1, cx2] = fleet.net.hosts;
    const key = (name: string) => readFileSync(fleet.net.knownHostsFile, 'utf-8').split('\n').find((l) => l.startsWith(`${name} `))?.slice(name.length + 1);
    // An ordinary operator config: keys known by name and by address, no HostKeyAlias; cx1's
    // name now points at cx2's address (a DHCP lease, a reused IP, a stale DNS record).
    // Under .nx/ (ignored): the flake does not see it, and it goes with the workspace.
    const dir = join(ws().root, '.nx', 'test-ssh');
    execFileSync('mkdir', ['-p', dir]);
    const known = join(dir, 'known_hosts');
    writeFileSync(known, [`cx1 ${key('cx1')}`, `cx2 ${key('cx2')}`, `${cx1.address} ${key('cx1')}`, `${cx2.address} ${key('cx2')}`, ''].join('\n'));
    const config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      `Host cx1\n  HostName ${cx2.address}\n  User root\n  IdentityFile ${fleet.net.identityFile}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${known}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n`,
    );
    const before = await activations(cx2);
    const r = ws().nx(['run', 'cx1:deploy', '--force'], { allowFailure: true, env: { NIX_FLEET_SSH_CONFIG: config } });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Deploy of cx1 failed at (preflight|connect|lock)/);
    expect(r.stdout + r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|host key/i);
    expect(r.stdout + r.stderr).not.toContain('copying');
    expect(await activations(cx2)).toEqual(before);
    const outPath = nixEval('cx1');
    expect((await cx2.exec(['sh', '-c', `test -e ${outPath} && echo copied || echo absent`])).trim()).toBe('absent');
  });
});
