// npm run demo, as the README says to run it, on a machine where Nix never ran (issue 14): in
// tools/fresh-root.sh's private root there is no /nix until setup's system step makes it. The
// tour ends well, shows each thing it promises and leaves no namespace, process or temp
// workspace behind. (setup's other step, npm ci, is left out: node_modules is this repository's.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/workspace';

const FRESH_ROOT = join(REPO_ROOT, 'tools/fresh-root.sh');

describe('a machine where Nix never ran', () => {
  it('has no /nix inside tools/fresh-root.sh, and the real /nix is untouched by it', () => {
    const before = existsSync('/nix');
    const r = spawnSync('bash', [FRESH_ROOT, 'sh', '-c', 'test ! -e /nix && echo no-nix && mkdir /nix && echo made'], { encoding: 'utf-8' });
    expect(`${r.status}\n${r.stdout}${r.stderr}`).toBe('0\nno-nix\nmade\n');
    expect(existsSync('/nix')).toBe(before);
  });

  it('starts a test host without setup: the host makes its own /nix mount point', () => {
    const script =
      "const { startTestHosts } = require('./e2e/support/test-hosts');" +
      "startTestHosts(1, { namePrefix: 'fresh' }).then(async (net) => {" +
      "  try { process.stdout.write(await net.hosts[0].exec(['sh', '-c', 'test -d /nix && test -d /run/sshd && echo host-ready'])); }" +
      '  finally { await net.teardown(); }' +
      '}).catch((e) => { console.error(e.message); process.exit(1); });';
    const r = spawnSync('bash', [FRESH_ROOT, 'sh', '-c', 'test ! -e /nix && exec node -r @swc-node/register -e "$1"', 'sh', script], {
      cwd: REPO_ROOT,
      encoding: 'utf-8',
      timeout: 60_000,
    });
    expect(`${r.status}\n${r.stdout}${r.stderr}`).toMatch(/^0\nhost-ready\n/);
  });
});

describe('bash tools/setup.sh && npm run demo, where /nix did not exist', () => {
  it('builds, sizes, deploys, redeploys only what a change touched, and cleans up', () => {
    const readme = 'test ! -e /nix && echo "/nix: absent" && bash tools/install-system-deps.sh && npm run demo --silent';
    const r = spawnSync('bash', [FRESH_ROOT, 'sh', '-c', readme], { cwd: REPO_ROOT, encoding: 'utf-8', timeout: 300_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(`${r.status}\n${out}`).toMatch(/^0\n\/nix: absent\n/);
    // Numbered steps, each with the commands it ran.
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) expect(out).toMatch(new RegExp(`^${n}\\. `, 'm'));
    expect(out).toContain('$ nx run-many -t closure-size');
    expect(out).toMatch(/Closure sizes \(3 hosts\)/);
    expect(out).toContain('Deploy (3 hosts): 3 deployed');
    // One host's change: every host is affected (the flake reads hosts/ whole), only ares is built and deployed.
    expect(out).toMatch(/\$ nx show projects --affected --base=HEAD~1 --json\n\s+\[(?=[^\]]*"ares")(?=[^\]]*"web1")(?=[^\]]*"web2")[^\]]*\]/);
    expect(out).toContain('nix-fleet: 3 hosts affected, 1 system changed, 2 as before; 3 evaluated');
    expect(out).toContain('Deploy (3 hosts): 1 deployed, 2 unchanged');
    expect(out).toMatch(/Deploy \(3 hosts\): 2 deployed, 1 unchanged/);
    expect(out).toMatch(/ares\s+unchanged\s+switch\s+no/);
    expect(out).toContain('Tour done');

    const workspace = /removed 3 namespaces and (\S+)/.exec(out)?.[1];
    expect(workspace).toMatch(/nix-fleet-demo-/);
    expect(existsSync(workspace!)).toBe(false);
    const namespaces = /namespace\n[- ]+\n((?:.*\n){3})/.exec(out)?.[1].match(/nf-\S+/g) ?? [];
    expect(namespaces).toHaveLength(3);
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf-8' });
    for (const ns of namespaces) expect(left).not.toContain(ns);
  });
});
