// The plan sequence through a fake host: one read-only script, no lock, and what it reports.
import { FakeTarget } from '../../testing/fake-target';
import type { ClosureRecord } from '../closure/path-info';
import { deployPlan } from './options';
import { planHost } from './plan';
import { renderPlan } from './plan-report';
import { parsePlanRead } from './plan-script';

const S = '/nix/store';
const OLD = `${S}/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-web1`;
const NEW = `${S}/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1`;
const APP1 = `${S}/zhz6kk8inmyhpklvnqhhipn1if2gqvig-app-1.0`;
const APP2 = `${S}/0hz6kk8inmyhpklvnqhhipn1if2gqvig-app-1.1`;
const BLOB = `${S}/1hz6kk8inmyhpklvnqhhipn1if2gqvig-blob-2.0`;
const OLDLIB = `${S}/2hz6kk8inmyhpklvnqhhipn1if2gqvig-oldlib-0.9`;

const plan = deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, {}, {});
const closure: ClosureRecord = {
  host: 'web1',
  outPath: NEW,
  closureSize: 1000 + 300 + 5000,
  pathCount: 3,
  paths: [{ path: NEW, narSize: 1000 }, { path: APP2, narSize: 300 }, { path: BLOB, narSize: 5000 }],
};
const read = (current: string, running: Array<[string, number]>, missing: string[]) => ({
  stdout: [`current=${current}`, ...running.map(([p]) => `running=${p}`), ...running.map(([, n]) => `size=${n}`), ...missing.map((p) => `missing=${p}`), 'done=1', ''].join('\n'),
});

describe('planHost', () => {
  it('reads the host once, sends the new closure on stdin, and diffs packages with versions', async () => {
    const t = new FakeTarget({ 'plan-read': read(OLD, [[OLD, 900], [APP1, 200], [OLDLIB, 50]], [NEW, BLOB]) });
    const r = await planHost(plan, closure, () => undefined, t);
    expect(t.calls).toEqual(['host-keys', 'plan-read']);
    expect(t.inputs[0]).toBe(`${NEW}\n${APP2}\n${BLOB}\n`);
    expect(r).toMatchObject({ status: 'changes', current: OLD, copyPaths: 2, copyBytes: 6000, growth: 6300 - 1150 });
    expect(r.counts).toEqual({ upgraded: 1, downgraded: 0, changed: 0, added: 1, removed: 1 });
    const text = renderPlan(r);
    expect(text).toContain('to copy   2 paths, 5.9 KiB');
    expect(text).toMatch(/↑\s+app\s+1\.0 -> 1\.1/);
    expect(text).toMatch(/\+\s+blob\s+\+ 2\.0/);
    expect(text).toMatch(/-\s+oldlib\s+- 0\.9/);
    expect(text).toContain('↑ upgraded, ↓ downgraded, ~ other version change, + added, - removed');
  });

  it('says unchanged when the host runs the new system', async () => {
    const t = new FakeTarget({ 'plan-read': read(NEW, [[NEW, 1000]], []) });
    const r = await planHost(plan, closure, () => undefined, t);
    expect(r).toMatchObject({ status: 'unchanged', copyBytes: 0, changes: [] });
    expect(renderPlan(r)).toBe(`web1: unchanged, already running ${NEW}; nothing to copy`);
  });

  it('plans a host that runs no system yet: every package is added', async () => {
    const t = new FakeTarget({ 'plan-read': read('', [], [NEW, APP2, BLOB]) });
    const r = await planHost(plan, closure, () => undefined, t);
    expect(r).toMatchObject({ status: 'changes', copyBytes: 6300, growth: 6300 });
    expect(r.counts.added).toBe(3);
  });

  it('reports an unreachable host as an outcome', async () => {
    const t = new FakeTarget().on('plan-read', { fail: 255, stderr: 'ssh: connect to host web1.lan port 22: No route to host' });
    const r = await planHost(plan, closure, () => undefined, t);
    expect(r).toMatchObject({ status: 'unreachable' });
    expect(r.message).toBe('cannot reach web1.lan over ssh: ssh: connect to host web1.lan port 22: No route to host');
  });

  it('fails when ssh would not check the host key, before connecting', async () => {
    const t = new FakeTarget().on('host-keys', { fail: 1, stderr: 'would not check its host key' });
    expect((await planHost(plan, closure, () => undefined, t)).status).toBe('failed');
    expect(t.calls).toEqual(['host-keys']);
  });

  it('fails when the host cannot list its store (no nix-store)', async () => {
    const t = new FakeTarget().on('plan-read', { fail: 3, stderr: 'nix-fleet: nix-store is not on PATH on this host' });
    const r = await planHost(plan, closure, () => undefined, t);
    expect(r).toMatchObject({ status: 'failed', message: 'reading web1.lan failed: nix-fleet: nix-store is not on PATH on this host' });
  });
});

describe('parsePlanRead', () => {
  it('refuses output that stopped early or whose sizes do not pair with paths', () => {
    expect(() => parsePlanRead('current=x\n')).toThrow('stopped before it finished');
    expect(() => parsePlanRead(`current=${OLD}\nrunning=${OLD}\ndone=1\n`)).toThrow('listed 1 paths of');
  });
});
