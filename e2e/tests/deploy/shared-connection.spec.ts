// deploy's shared ssh connection on real test hosts: how many logins a deploy costs, the
// private control folder (there while deploying, gone after success and failure), the
// confirmation's own new login, and a shared connection killed during activation.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activations,
  authentications,
  builtOutPath,
  deployResult,
  readLink,
  startDeployFleet,
  testHostFixture,
  waitFor,
  type DeployFleet,
  type SwitchBehaviour,
} from '../../support/deploy-fixtures';
import { writeFixtureFleet, writeFixtureHost } from '../../support/fixture-fleet';
import type { TestHost, TestNetwork } from '../../support/test-hosts';
import { nxEnv, REPO_ROOT, type Workspace } from '../../support/workspace';

const NX_BIN = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

/** sshd's log as events: each login, and each end of a connection, with the client's port. */
interface ConnectionEvent {
  event: 'login' | 'end';
  port: string;
}

function connectionEvents(host: TestHost): ConnectionEvent[] {
  return readFileSync(host.sshdLog, 'utf-8')
    .split('\n')
    .flatMap((line): ConnectionEvent[] => {
      const login = /Accepted publickey for \S+ from \S+ port (\d+)/.exec(line);
      if (login) return [{ event: 'login', port: login[1] }];
      const end = /(?:Disconnected from user \S+|Connection closed by|Received disconnect from) \S+ port (\d+)/.exec(line);
      return end ? [{ event: 'end', port: end[1] }] : [];
    });
}

/** The deploy's private control folders below `dir`. */
const controlDirs = (dir: string) => readdirSync(dir).filter((d) => d.startsWith('nix-fleet-ssh-'));

/** PIDs of ssh masters whose control socket is below `dir`: only the ones our deploys started. */
function mastersBelow(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'utf-8').split('\0');
        return argv[0] === 'ssh' && argv.includes('ControlMaster=yes') && argv.some((a) => a.startsWith(`ControlPath=${dir}/`));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('deploy shares one ssh connection per host', () => {
  let fleet: DeployFleet | undefined;
  let net: TestNetwork;
  let ws: Workspace;
  let tmp: string;

  const fixtureHost = (i: number, version: string, behaviour: SwitchBehaviour = {}) => testHostFixture(net, net.hosts[i], version, behaviour);
  const release = (i: number, version: string, behaviour: SwitchBehaviour = {}) => {
    writeFixtureHost(ws.root, fixtureHost(i, version, behaviour));
    ws.commit(`${net.hosts[i].name} ${version}`);
  };
  /** The deploy runs with TMPDIR=tmp, so its control folder is made there. */
  const env = () => ({ TMPDIR: tmp });
  const deployAsync = (host: string) => {
    const child = spawn(process.execPath, [NX_BIN, 'run', `${host}:deploy`], { cwd: ws.root, env: nxEnv(env()), stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    return { child, done: new Promise<{ code: number | null; out: string }>((resolve) => child.on('close', (code) => resolve({ code, out }))) };
  };

  beforeAll(async () => {
    fleet = await startDeployFleet(2, 'mux', 'nix-fleet-mux-');
    ({ net, ws } = fleet);
    tmp = mkdtempSync(join(tmpdir(), 'nix-fleet-mux-tmp-'));
    writeFixtureFleet(ws.root, [fixtureHost(0, '1.0'), fixtureHost(1, '1.0')]);
    ws.commit('fleet 1.0');
    ws.nx(['run-many', '-t', 'deploy'], { env: env() });
  });

  afterAll(async () => {
    for (const pid of tmp ? mastersBelow(tmp) : []) process.kill(pid, 'SIGKILL');
    await fleet?.teardown();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('logs in twice per host: the shared connection, and a new one for the confirmation while the shared one is up', async () => {
    const h = net.hosts[0];
    release(0, '2.0');
    ws.nx(['run', `${h.name}:build`]);
    const [before, loginsBefore] = [connectionEvents(h).length, authentications(h)];
    ws.nx(['run', `${h.name}:deploy`], { env: env() });
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'deployed', copied: true });
    // Lock, copy, activation, confirmation and the package count logged in once each before.
    expect(authentications(h) - loginsBefore).toBe(2);
    let events = connectionEvents(h).slice(before);
    const logins = events.filter((e) => e.event === 'login');
    // sshd logs the shared connection's end after the master closed it, which on a loaded
    // machine may be after nx returned: wait for that line, then read the order.
    await waitFor('the shared connection to end in sshd\'s log', async () => {
      events = connectionEvents(h).slice(before);
      return events.some((e) => e.event === 'end' && e.port === logins[0].port);
    }, 30000);
    // The shared connection (the first login) ended only after the confirmation logged in.
    const sharedEnd = events.findIndex((e) => e.event === 'end' && e.port === logins[0].port);
    const confirmLogin = events.findIndex((e) => e.event === 'login' && e.port === logins[1].port);
    expect(confirmLogin).toBeGreaterThan(0);
    expect(sharedEnd).toBeGreaterThan(confirmLogin);
  });

  it('keeps the control folder private (0700) while it deploys, and removes it after a success and after a failure', async () => {
    const h = net.hosts[1];
    release(1, '2.0', { sleepSeconds: 3 });
    ws.nx(['run', `${h.name}:build`]);
    const run = deployAsync(h.name);
    await waitFor('the control folder', async () => controlDirs(tmp).length > 0, 60000);
    const [dir] = controlDirs(tmp);
    const st = statSync(join(tmp, dir));
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(process.getuid!());
    await waitFor('the control socket', async () => readdirSync(join(tmp, dir)).includes('socket'), 30000);
    const ok = await run.done;
    expect(ok.code).toBe(0);
    expect(controlDirs(tmp)).toEqual([]);
    expect(mastersBelow(tmp)).toEqual([]);

    release(1, '3.0', { fail: 'fixture: broken activation' });
    const failed = ws.nx(['run', `${h.name}:deploy`], { env: env(), allowFailure: true });
    expect(failed.status).not.toBe(0);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'rolled-back' });
    expect(controlDirs(tmp)).toEqual([]);
    expect(mastersBelow(tmp)).toEqual([]);
  });

  it('a shared connection killed during activation: the deploy follows it over a new one and ends deployed', async () => {
    const h = net.hosts[0];
    release(0, '4.0', { sleepSeconds: 4 });
    ws.nx(['run', `${h.name}:build`]);
    const run = deployAsync(h.name);
    await waitFor('the activation to start', async () => (await activations(h)).some((l) => l.includes('switch') && l.endsWith(builtOutPath(ws.root, h.name))), 60000);
    const masters = mastersBelow(tmp);
    expect(masters).toHaveLength(1);
    process.kill(masters[0], 'SIGKILL');
    const { code, out } = await run.done;
    expect(out).toContain('connection lost during activation');
    expect(code).toBe(0);
    const v4 = builtOutPath(ws.root, h.name);
    expect(await readLink(h, '/run/current-system')).toBe(v4);
    expect(deployResult(ws.root, h.name)).toMatchObject({ status: 'deployed', running: v4 });
    expect(controlDirs(tmp)).toEqual([]);
    expect(mastersBelow(tmp)).toEqual([]);
  });
});
