// The ssh Target with real ssh and nix, against 127.0.0.1 port 1 (refused at once, no network
// needed): the connection it asks for, what a stop does, the host key vetting, and nix copy.
import { existsSync } from 'node:fs';
import { requireOnPath } from '../../testing/on-path';
import { AbortedError, CommandError } from '../process/run';
import { deployPlan, type DeployPlan } from './options';
import { isConnectionFailure, SshHost } from './target';

const MISSING = '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-web1';
const plan = (over: Partial<DeployPlan['target']> = {}, extra: Partial<DeployPlan> = {}): DeployPlan => {
  const p = deployPlan('web1', { type: 'server', system: 'x86_64-linux', deployment: { targetHost: '127.0.0.1', port: 1 } }, { connectTimeout: 5 }, { NIX_FLEET_SSH_CONFIG: '/dev/null' });
  return { ...p, ...extra, target: { ...p.target, ...over } };
};
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as CommandError);

describe('SshHost', () => {
  beforeAll(() => requireOnPath('ssh', 'OpenSSH'));

  it('runs the argv over ssh: a lost connection is ssh exit 255; fresh calls never share one', async () => {
    const e = await failure(new SshHost(plan(), () => undefined).exec(['true'], { timeoutMs: 20000, fresh: true }));
    expect(e).toBeInstanceOf(CommandError);
    expect(e).toMatchObject({ command: 'ssh', code: 255 });
    expect(isConnectionFailure(e)).toBe(true);
    expect(e!.args.join(' ')).toContain('-o ControlMaster=no -o ControlPath=none');
  });

  it('a shared host starts its master for a call that is not fresh, and a stop removes its control folder at once', async () => {
    const stop = new AbortController();
    const host = new SshHost(plan(), () => undefined, { shared: true, signal: stop.signal });
    expect(await failure(host.exec(['true'], { timeoutMs: 20000 }))).toMatchObject({ code: 255 });
    const dir = host.controlDir!;
    expect(existsSync(dir)).toBe(true);
    stop.abort('SIGINT');
    expect(existsSync(dir)).toBe(false);
    await host.close();
  });

  it('an unshared host starts no master and has no control folder; close is safe', async () => {
    const host = new SshHost(plan(), () => undefined);
    const e = await failure(host.exec(['true'], { timeoutMs: 20000 }));
    expect(e!.args.join(' ')).not.toMatch(/ControlMaster=yes|ControlPath=/);
    expect(host.controlDir).toBeUndefined();
    await expect(host.close()).resolves.toBeUndefined();
  });

  // ProxyCommand `sleep` stands in for a host that answers slowly: ssh waits for its banner.
  const slow = () => plan({ sshOptions: ['-o', 'ProxyCommand=sleep 5 2>/dev/null'], connectTimeout: 10 });

  it('a call is bounded here: ssh stopped at the local limit counts as timed out', async () => {
    const e = await failure(new SshHost(slow(), () => undefined).exec(['true'], { timeoutMs: 300, fresh: true }));
    expect(e).toMatchObject({ command: 'ssh', timedOut: true });
  });

  it('a stop ends the call in progress, on a host without a shared connection too', async () => {
    const stop = new AbortController();
    const call = failure(new SshHost(slow(), () => undefined, { signal: stop.signal }).exec(['true'], { timeoutMs: 20000, fresh: true }));
    setTimeout(() => stop.abort('SIGINT'), 100);
    expect(await call).toBeInstanceOf(AbortedError);
  });

  it('once stopped, starts nothing: neither ssh nor nix copy', async () => {
    const stop = new AbortController();
    stop.abort('SIGTERM');
    const host = new SshHost(plan(), () => undefined, { signal: stop.signal });
    const exec = await failure(host.exec(['true'], { timeoutMs: 20000 }));
    expect(exec).toBeInstanceOf(AbortedError);
    expect(exec).toMatchObject({ command: 'ssh' });
    expect((exec as Error).message).toContain('SIGTERM');
    expect(await failure(host.copy(MISSING))).toMatchObject({ command: 'nix copy' });
  });

  it('nix copy shows its own error lines, indented, and fails', async () => {
    requireOnPath('nix', 'Nix');
    const lines: string[] = [];
    const e = await failure(new SshHost(plan(), (l) => lines.push(l)).copy(MISSING));
    expect(e).toMatchObject({ command: 'nix' });
    expect(e!.args).toContain(MISSING);
    expect(lines.some((l) => l.startsWith('  error:') && l.includes(MISSING))).toBe(true);
    expect(lines.every((l) => l.trim() !== '')).toBe(true);
  });

  it('buildOn remote copies the derivation first, not the system', async () => {
    requireOnPath('nix', 'Nix');
    const drvPath = '/nix/store/0l0c4mm2ngv5z4rmcqk1hmcd8ypmflfv-nixos-system-web1.drv';
    const lines: string[] = [];
    const e = await failure(new SshHost(plan({}, { remoteBuild: { drvPath } }), (l) => lines.push(l)).copy(MISSING));
    expect(e!.args).toEqual(expect.arrayContaining(['--derivation', drvPath]));
    expect(e!.args).not.toContain(MISSING);
    expect(lines[0]).toBe(`web1: copying the derivation ${drvPath} (deployment.buildOn: remote)`);
  });
});

describe('SshHost.checkHostKeys', () => {
  const saved = process.env.NIX_SSHOPTS;
  afterEach(() => (saved === undefined ? delete process.env.NIX_SSHOPTS : (process.env.NIX_SSHOPTS = saved)));
  const check = (p: DeployPlan) => failure(new SshHost(p, () => undefined).checkHostKeys());

  it('passes a configuration that checks host keys, without connecting', async () => {
    delete process.env.NIX_SSHOPTS;
    expect(await check(plan({ hostKeyAlias: undefined }))).toBeUndefined();
  });

  it('refuses options that skip the host key check', async () => {
    delete process.env.NIX_SSHOPTS;
    const e = await check(plan({ hostKeyAlias: undefined, sshOptions: ['-o', 'StrictHostKeyChecking=no'] }));
    expect((e as Error | undefined)?.message).toContain('ssh to 127.0.0.1 would not check its host key');
  });

  it('refuses an inherited NIX_SSHOPTS that skips it: nix copy puts it first', async () => {
    process.env.NIX_SSHOPTS = '  -o   StrictHostKeyChecking=no ';
    const e = await check(plan({ hostKeyAlias: undefined }));
    expect((e as Error | undefined)?.message).toContain('would not check its host key (StrictHostKeyChecking false');
  });

  it('with a host key alias, wants a known key under the fleet host name', async () => {
    delete process.env.NIX_SSHOPTS;
    const e = await check(plan({ hostKeyAlias: 'web1', sshOptions: ['-o', 'UserKnownHostsFile=/dev/null'] }));
    expect((e as Error | undefined)?.message).toContain('has no key for the host name "web1"');
  });
});
