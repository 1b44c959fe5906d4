// The shared connection against a real sshd on this machine's loopback (in a mount namespace of
// its own, for sshd's /run/sshd): one login however many sessions, a new one when the master is
// gone, nothing left behind. Its log counts the logins.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireOnPath } from '../../testing/on-path';
import { sleep } from '../process/processes';
import { CommandError } from '../process/run';
import { sshCommandArgs, type SshTarget } from './argv';
import { SshMaster } from './master';

const dir = mkdtempSync(join(tmpdir(), 'master-login-'));
const log = join(dir, 'sshd.log');
let sshd: ChildProcess;
let target: SshTarget;
const logins = () => readFileSync(log, 'utf-8').split('\n').filter((l) => l.startsWith('Accepted publickey')).length;

/** A free port on the loopback (the kernel picks it; it is free again when this returns). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, '127.0.0.1', () => (c.destroy(), resolve(true))).on('error', () => resolve(false));
  });

beforeAll(async () => {
  const sshdPath = requireOnPath('sshd', 'OpenSSH server');
  requireOnPath('unshare', 'util-linux');
  for (const key of ['host_key', 'key']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'key.pub')));
  writeFileSync(join(dir, 'known_hosts'), `web1 ${readFileSync(join(dir, 'host_key.pub'), 'utf-8').split(' ').slice(0, 2).join(' ')}\n`);
  const port = await freePort();
  const config = [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PidFile none', 'StrictModes no', 'UsePAM no', 'PermitRootLogin prohibit-password'];
  writeFileSync(join(dir, 'sshd_config'), `${config.join('\n')}\n`);
  const run = `mount -t tmpfs tmpfs /run && mkdir -p /run/sshd && exec "$1" -D -e -f "$2" 2>"$3"`;
  sshd = spawn('unshare', ['-m', 'sh', '-c', run, 'sshd', sshdPath, join(dir, 'sshd_config'), log], { stdio: 'ignore' });
  for (let i = 0; i < 500 && !(await accepts(port)); i++) await sleep(10);
  const user = spawnSync('id', ['-un'], { encoding: 'utf-8' }).stdout.trim();
  target = { host: '127.0.0.1', port, user, connectTimeout: 10, configFile: '/dev/null', knownHostsFile: join(dir, 'known_hosts'), hostKeyAlias: 'web1', sshOptions: ['-i', join(dir, 'key'), '-o', 'IdentitiesOnly=yes'] };
}, 20000);
afterAll(() => {
  sshd?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** `ssh -O check`: exit 0 and "Master running (pid=N)" while a master serves the socket. */
const check = (socket: string) => spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${socket}`, '-O', 'check', 'web1'], { encoding: 'utf-8' });
const session = (socket: string) => execFileSync('ssh', sshCommandArgs(target, ['echo', 'shared'], { controlPath: socket }), { encoding: 'utf-8' });

describe('SshMaster against a real sshd', () => {
  it('logs in once for every session, starts a new master when the old one is gone, and leaves nothing behind', async () => {
    const before = logins();
    const master = new SshMaster(target);
    const [a, b] = await Promise.all([master.ensure(10000), master.ensure(10000)]);
    expect(a).toBe(join(master.controlDir!, 'socket'));
    expect(b).toBe(a);
    expect(master.controlPath).toBe(a);
    expect(session(a)).toBe('shared\n');
    await expect(master.ensure(10000)).resolves.toBe(a);
    expect(logins() - before).toBe(1);

    // The connection drops (the master is told to exit): the next ensure logs in again, in the same private folder.
    execFileSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${a}`, '-O', 'exit', 'web1'], { stdio: 'ignore' });
    for (let i = 0; i < 500 && master.controlPath; i++) await sleep(10);
    expect(master.controlPath).toBeUndefined();
    await expect(master.ensure(10000)).resolves.toBe(a);
    expect(session(a)).toBe('shared\n');
    expect(logins() - before).toBe(2);

    const folder = master.controlDir!;
    await master.close();
    expect(existsSync(folder)).toBe(false);
    expect(master.controlPath).toBeUndefined();
    expect(master.controlDir).toBeUndefined();
  }, 30000);

  it('starts a new master over the socket file a killed one left behind', async () => {
    const master = new SshMaster(target);
    const socket = await master.ensure(10000);
    const pid = Number(/pid=(\d+)/.exec(check(socket).stderr)?.[1]);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 500 && master.controlPath; i++) await sleep(10);
    expect(existsSync(socket)).toBe(true);
    await expect(master.ensure(10000)).resolves.toBe(socket);
    const again = check(socket);
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain(`pid=${pid})`);
    await master.close();
  }, 30000);

  it('closeNow removes the folder at once, and a later ensure logs in anew', async () => {
    const master = new SshMaster(target);
    const socket = await master.ensure(10000);
    const before = logins();
    master.closeNow();
    expect(existsSync(socket)).toBe(false);
    expect(master.controlDir).toBeUndefined();
    expect(master.controlPath).toBeUndefined();
    const again = await master.ensure(10000);
    expect(again).not.toBe(socket);
    expect(logins() - before).toBe(1);
    await master.close();
  }, 30000);
});

describe('SshMaster against a server that never answers', () => {
  let silent: Server;
  afterAll(() => silent?.close());

  it('gives up at its timeout with a CommandError that says so', async () => {
    silent = createServer(() => undefined).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const master = new SshMaster({ ...target, port: (silent.address() as AddressInfo).port });
    const err = (await master.ensure(300).catch((e) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err).toMatchObject({ timedOut: true });
    expect(err.message).toMatch(/^ssh .*ControlMaster=yes.* timed out$/);
    expect(master.controlPath).toBeUndefined();
    await master.close();
  }, 10000);
});
