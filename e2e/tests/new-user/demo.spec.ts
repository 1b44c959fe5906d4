// npm run demo, as the README says to run it: the tour ends well, shows each thing it promises
// and leaves no namespace, process or temp workspace behind.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REPO_ROOT } from '../../support/workspace';

describe('npm run demo', () => {
  it('builds, sizes, deploys, redeploys only what a change touched, and cleans up', () => {
    const r = spawnSync('npm', ['run', 'demo', '--silent'], { cwd: REPO_ROOT, encoding: 'utf-8', timeout: 240_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(`${r.status}\n${out}`).toMatch(/^0\n/);
    // Numbered steps, each with the commands it ran.
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9]) expect(out).toMatch(new RegExp(`^${n}\\. `, 'm'));
    expect(out).toContain('$ nx run-many -t closure-size');
    expect(out).toMatch(/Closure sizes \(3 hosts\)/);
    expect(out).toContain('Deploy (3 hosts): 3 deployed');
    expect(out).toContain('$ nx show projects --affected --base=HEAD~1 --json\n     ["ares"]');
    expect(out).toContain('Deploy (1 host): 1 deployed');
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
