// closure-size on a real fixture fleet: exact sizes from Nix, budgets, baselines and the package diff.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFixtureFleet, writeFixtureHost, type FixtureHost } from '../../support/fixture-fleet';
import { createWorkspace, type Workspace } from '../../support/workspace';
import { countExecutorProcesses } from '../../support/executor-processes';

const MiB = 2 ** 20;
const app = { name: 'app', version: '1.0', size: 65536 };
const blob = { name: 'blob', version: '1.0', size: 5 * MiB };

const nixJson = (args: string[]) => JSON.parse(execFileSync('nix', args, { encoding: 'utf-8' }));
const report = (ws: Workspace, host: string) => JSON.parse(readFileSync(join(ws.root, 'dist/hosts', host, 'closure.json'), 'utf-8'));
const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

describe('closure-size', () => {
  let ws: Workspace;
  const write = (host: FixtureHost) => {
    writeFixtureHost(ws.root, host);
    ws.commit(`change ${host.name}`);
  };

  beforeAll(() => {
    ws = createWorkspace(`nix-fleet-closure-${process.pid}-`);
    writeFixtureFleet(ws.root, [
      { name: 'alpha', packages: [app] },
      { name: 'beta', packages: [app, blob] },
    ]);
    ws.commit('fixture fleet');
  });
  afterAll(() => ws?.remove());

  it('reports the exact closureSize Nix reports, the path count and the biggest path', () => {
    const run = ws.nx(['run-many', '-t', 'closure-size', '--projects=alpha,beta', '--output-style=static']);
    if (process.env.SHOW_OUTPUT) console.log(output(run));
    const alpha = report(ws, 'alpha');
    const beta = report(ws, 'beta');
    for (const r of [alpha, beta]) {
      const [info] = nixJson(['path-info', '--closure-size', '--json', r.outPath]);
      expect(r.closureSize).toBe(info.closureSize);
      expect(r.pathCount).toBe(nixJson(['path-info', '--recursive', '--json', r.outPath]).length);
    }
    const [blobInfo] = nixJson(['path-info', '--json', beta.biggest[0].path]);
    expect(beta.biggest[0].path).toMatch(/-blob-1\.0$/);
    expect(beta.biggest[0].narSize).toBe(blobInfo.narSize);
    // The blob is the difference: 5 MiB of content plus its NAR framing and one more symlink.
    expect(beta.closureSize - alpha.closureSize).toBeGreaterThanOrEqual(5 * MiB);
    expect(beta.closureSize - alpha.closureSize).toBeLessThan(5 * MiB + 4096);
    expect(output(run)).toMatch(/closure size\s+5\.\d MiB \(\d+ bytes\)/);
    // The fleet-wide table at the end of run-many names both hosts.
    expect(output(run)).toMatch(/Closure sizes[\s\S]*alpha[\s\S]*beta/);
  });

  it('prints JSON with --json', () => {
    const run = ws.nx(['run', 'beta:closure-size', '--json', '--skip-nx-cache']);
    const printed = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'), run.stdout.lastIndexOf('}') + 1));
    expect(printed.closureSize).toBe(report(ws, 'beta').closureSize);
  });

  it('refuses a bad budget, naming the flag, and writes nothing', () => {
    const before = readFileSync(join(ws.root, 'dist/hosts/alpha/closure.json'), 'utf-8');
    const run = ws.nx(['run', 'alpha:closure-size', '--maxGrowth=lots', '--skip-nx-cache'], { allowFailure: true });
    expect(run.status).not.toBe(0);
    expect(output(run)).toContain('--maxGrowth is "lots": expected bytes');
    expect(readFileSync(join(ws.root, 'dist/hosts/alpha/closure.json'), 'utf-8')).toBe(before);
  });

  it('fails growth past maxGrowth with the top contributor, and --update-baseline accepts it', () => {
    write({ name: 'alpha', packages: [app], hostJson: { budgets: { maxGrowth: '5%' } } });
    ws.nx(['run', 'alpha:closure-size', '--update-baseline']);
    expect(existsSync(join(ws.root, 'hosts/alpha/closure-baseline.json'))).toBe(true);
    ws.commit('alpha baseline');

    write({ name: 'alpha', packages: [app, blob], hostJson: { budgets: { maxGrowth: '5%' } } });
    const failed = ws.nx(['run', 'alpha:closure-size'], { allowFailure: true });
    expect(failed.status).not.toBe(0);
    expect(output(failed)).toMatch(/Budget maxGrowth exceeded for alpha: closure grew \+5\.0 MiB \([^)]+\) against hosts\/alpha\/closure-baseline\.json, budget 5%/);
    expect(output(failed)).toMatch(/Top contributors:\n\s+blob \+ 1\.0 \(\+5\.0 MiB\)/);

    const accepted = ws.nx(['run', 'alpha:closure-size', '--update-baseline']);
    expect(output(accepted)).toContain('baseline written to hosts/alpha/closure-baseline.json');
    const baseline = JSON.parse(readFileSync(join(ws.root, 'hosts/alpha/closure-baseline.json'), 'utf-8'));
    expect(baseline.closureSize).toBe(report(ws, 'alpha').closureSize);
    ws.commit('accept growth');
    expect(ws.nx(['run', 'alpha:closure-size']).status).toBe(0);
  });

  it('shows a package version change in the diff', () => {
    write({ name: 'alpha', packages: [{ ...app, version: '1.1' }, blob], hostJson: { budgets: { maxGrowth: '5%' } } });
    const run = ws.nx(['run', 'alpha:closure-size']);
    expect(output(run)).toMatch(/↑\s+app\s+1\.0 -> 1\.1/);
    expect(output(run)).toContain('↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
    expect(report(ws, 'alpha').changes).toEqual([expect.objectContaining({ kind: 'changed', pname: 'app', before: ['1.0'], after: ['1.1'] })]);
  });
  // eval, build and closure-size prefer Nx's batch: one process per target for all hosts of a
  // run; --batch=false gives the process per host back. Both show each host's own report and
  // keep going past a host whose evaluation fails.
  describe.each([
    ['by default, one process per target', [] as string[], { batch: 3, single: 0 }],
    ['with --batch=false, one process per task', ['--batch=false'], { batch: 0, single: 7 }],
  ])('run-many -t closure-size %s', (_how, flags, processes) => {
    const procs = countExecutorProcesses();
    afterAll(() => procs.remove());

    it('a host that does not evaluate fails alone; the others are built and measured, each with its own lines', () => {
      writeFixtureHost(ws.root, { name: 'broken', extraConfig: '  switchScript = throw "broken on purpose";\n' });
      if (ws.git(['status', '--porcelain']).trim() !== '') ws.commit('a broken host');
      const run = ws.nx(['run-many', '-t', 'closure-size', '--projects=beta,broken,alpha', '--skip-nx-cache', '--output-style=stream', ...flags], { allowFailure: true, env: procs.env });
      expect(procs.count()).toEqual(processes);
      expect(run.status).not.toBe(0);
      expect(output(run)).toContain('Evaluation of broken failed');
      expect(output(run)).toContain('broken on purpose');
      for (const host of ['alpha', 'beta']) {
        expect(output(run)).toMatch(new RegExp(`${host}: /nix/store/\\S+-nixos-system-${host}\\n`));
        expect(report(ws, host).host).toBe(host);
      }
      expect(output(run)).toMatch(/closure size\s+5\.\d MiB[\s\S]*closure size/);
    });
  });
});
