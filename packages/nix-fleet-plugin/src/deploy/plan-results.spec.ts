// A plan's bounds and records: the one read's limits, a host not planned, plan files, and the script's output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClosureRecord } from '../closure/path-info';
import { countChanges } from '../closure/version';
import { deployPlan } from './options';
import { failedPlan, planHost, planResultPath, readPlanResult, writePlanResult } from './plan';
import { parsePlanRead, PLAN_READ } from './plan-script';
import type { ExecOptions, Target } from './target';

const NEW = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const closure: ClosureRecord = { host: 'web1', outPath: NEW, closureSize: 700, pathCount: 2, paths: [{ path: NEW, narSize: 500 }, { path: '/nix/store/a-app', narSize: 200 }] };

/** A host that answers the one read with stdout and records what it was asked. */
function host(stdout: string) {
  const asked: Array<{ argv: string[]; opts: ExecOptions }> = [];
  const target: Target = {
    exec: (argv, opts) => (asked.push({ argv, opts }), Promise.resolve({ stdout, stderr: '', code: 0, durationMs: 1 })),
    copy: () => Promise.reject(new Error('a plan copies nothing')),
    checkHostKeys: () => Promise.resolve(),
  };
  return { target, asked };
}

describe('planHost', () => {
  it('reads the configured running-system link, bounded by the connect timeout plus five minutes', async () => {
    const plan = deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, { connectTimeout: 7, currentSystemPath: '/tmp/current' }, {});
    const { target, asked } = host(`current=${NEW}\nmissing=/nix/store/not-in-closure\ndone=1\n`);
    const before = Date.now();
    const r = await planHost(plan, closure, () => undefined, target);
    expect(asked).toHaveLength(1);
    expect(asked[0].argv).toEqual(['sh', '-c', PLAN_READ, 'nix-fleet', 'current_system=/tmp/current']);
    expect(asked[0].opts.timeoutMs).toBe(307_000);
    // A path the closure does not list adds no bytes.
    expect(r).toMatchObject({ host: 'web1', status: 'unchanged', outPath: NEW, closureSize: 700, copyPaths: 1, copyBytes: 0, growth: 0 });
    expect(r.finishedAt).toBeGreaterThanOrEqual(before);
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.durationMs).toBeLessThanOrEqual(Date.now() - before);
  });

  it('a host whose read output does not add up failed, with the reason', async () => {
    const plan = deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, {}, {});
    const r = await planHost(plan, closure, () => undefined, host('current=x\n').target);
    expect(r).toMatchObject({ status: 'failed', message: 'reading web1.lan failed: the plan script on the host stopped before it finished', changes: [], counts: countChanges([]) });
  });
});

describe('plan records', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'nix-fleet-plan-results-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a host not planned before any connection: failed, with the message and nothing to copy', () => {
    const before = Date.now();
    const r = failedPlan('web1', 'no build of web1');
    expect(r).toEqual({ host: 'web1', status: 'failed', outPath: '', closureSize: 0, changes: [], counts: countChanges([]), message: 'no build of web1', durationMs: 0, finishedAt: expect.any(Number) });
    expect(r.finishedAt).toBeGreaterThanOrEqual(before);
  });

  it('are written per host under dist/deploy/plans and read back; none, or a damaged file, reads as nothing', () => {
    const r = failedPlan('web1', 'x');
    writePlanResult(root, r);
    expect(planResultPath(root, 'web1')).toBe(join(root, 'dist/deploy/plans/web1.json'));
    expect(readPlanResult(root, 'web1')).toEqual(r);
    expect(readPlanResult(root, 'web2')).toBeUndefined();
    mkdirSync(join(root, 'dist/deploy/plans'), { recursive: true });
    writeFileSync(join(root, 'dist/deploy/plans/web2.json'), '{"host":');
    expect(readPlanResult(root, 'web2')).toBeUndefined();
  });

  it('a host name that is not one never names a file', () => {
    expect(() => planResultPath(root, '../web1')).toThrow('"../web1" is not a valid host name');
  });
});

describe('parsePlanRead', () => {
  it('pairs paths with sizes in order, trims values, keeps "=" inside a value, and skips other lines', () => {
    const out = ['nix-store: warning', 'current= /nix/store/c=1 ', 'running=/nix/store/a', 'running=/nix/store/b', 'size=10', 'size= 20', 'other=x', 'missing=/nix/store/m', 'done=1'].join('\n');
    expect(parsePlanRead(out)).toEqual({ current: '/nix/store/c=1', running: [{ path: '/nix/store/a', narSize: 10 }, { path: '/nix/store/b', narSize: 20 }], missing: ['/nix/store/m'] });
  });

  it('a line without "=" is no key, however it starts', () => {
    expect(parsePlanRead('current=/s\nsizes\nrunning=/a\nsize=1\ndone=1')).toEqual({ current: '/s', running: [{ path: '/a', narSize: 1 }], missing: [] });
  });

  it('only done=1 says the script finished, not a line that starts with done', () => {
    expect(() => parsePlanRead('current=/s\nmissing=/m\nwarning=late\ndone.')).toThrow('the plan script on the host stopped before it finished');
  });

  it('a host that runs no system: current is empty', () => {
    expect(parsePlanRead('done=1')).toEqual({ current: '', running: [], missing: [] });
  });

  it('refuses a size that is not a number, and names the counts when they differ', () => {
    expect(() => parsePlanRead('current=/s\nrunning=/a\nsize=ten\ndone=1')).toThrow('nix-store on the host listed 1 paths of /s but 1 sizes');
    expect(() => parsePlanRead('current=/s\nsize=1\nsize=2\nrunning=/a\ndone=1')).toThrow('nix-store on the host listed 1 paths of /s but 2 sizes');
  });
});
