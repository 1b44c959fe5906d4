// One multiplexed ssh connection to a host (an OpenSSH ControlMaster), so that a deploy's lock,
// copy, activation and follow steps share one login instead of making one each.
//
// The control socket lives in a private folder of its own (mkdtemp, 0700): nothing else on the
// machine can reach the host through it, and no other ssh config's master is ever used. The
// master runs `cat` on the host as its own session: when this process dies however it dies, the
// master's stdin closes, `cat` ends and the master exits once its last session is done. close()
// kills it by PID and removes the folder; an exit handler does both if close() never ran.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError } from '../process/run';
import { sshMasterArgs, type SshTarget } from './argv';

/** Milliseconds between looks for the control socket while the master logs in. */
const POLL_MS = 10;
/** ssh keeps sun_path (108 bytes) for the socket and a temporary name 17 bytes longer. */
const MAX_SOCKET_PATH = 90;

const live = new Set<SshMaster>();
let exitHandler = false;

/** Where private control folders go: the temp folder, unless its name could not travel in NIX_SSHOPTS or a socket path. */
export function controlParent(dir = tmpdir()): string {
  return /^\/[A-Za-z0-9_./-]*$/.test(dir) && dir.length + 20 < MAX_SOCKET_PATH ? dir : '/tmp';
}

export class SshMaster {
  private dir?: string;
  private child?: ChildProcess;
  private starting?: Promise<string>;

  constructor(private readonly target: SshTarget) {}

  /** The control socket while a master is up and logged in; undefined otherwise. */
  get controlPath(): string | undefined {
    const socket = this.dir && join(this.dir, 'socket');
    return this.child && this.child.exitCode === null && this.child.signalCode === null && socket && existsSync(socket) ? socket : undefined;
  }

  /** The private control folder while there is one (tests check its mode and that it goes away). */
  get controlDir(): string | undefined {
    return this.dir;
  }

  /**
   * The control socket of a logged-in master: the running one, or a new one when there is none
   * (the first call, or the last master's connection dropped). Rejects with ssh's CommandError
   * (exit 255 for a connection that failed) when the login fails.
   */
  async ensure(timeoutMs: number): Promise<string> {
    const up = this.controlPath;
    if (up) return up;
    this.starting ??= this.start(timeoutMs).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private start(timeoutMs: number): Promise<string> {
    this.stop();
    this.dir ??= mkdtempSync(join(controlParent(), 'nix-fleet-ssh-'));
    const socket = join(this.dir, 'socket');
    // A master killed with SIGKILL leaves its socket: the new one could not bind, and the poll
    // below would take the old file for a login.
    rmSync(socket, { force: true });
    const args = sshMasterArgs(this.target, socket);
    const child = spawn('ssh', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    live.add(this);
    if (!exitHandler) {
      exitHandler = true;
      process.once('exit', () => live.forEach((m) => m.closeSync()));
    }
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-16384)));
    return new Promise<string>((resolve, reject) => {
      let spawnError: Error | undefined;
      const fail = (code: number | null, signal: NodeJS.Signals | null, timedOut: boolean) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new CommandError('ssh', args, code, signal, '', stderr, timedOut, spawnError));
      };
      const poll = setInterval(() => {
        if (!existsSync(socket)) return;
        clearInterval(poll);
        clearTimeout(timer);
        child.removeListener('close', onClose);
        resolve(socket);
      }, POLL_MS);
      const timer = setTimeout(() => {
        child.removeListener('close', onClose);
        this.stop();
        fail(null, null, true);
      }, timeoutMs);
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => fail(code, signal, false);
      child.on('error', (e) => (spawnError = e));
      child.once('close', onClose);
    });
  }

  /** Kills the master by PID (it unlinks its socket on SIGTERM); its sessions end with it. */
  private stop(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    this.child = undefined;
  }

  /** Ends the master and removes the private folder; waits (at most 2 s) for the master to exit. */
  async close(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        setTimeout(() => (child.kill('SIGKILL'), resolve()), 2000).unref();
      });
      this.stop();
      await exited;
    }
    this.closeSync();
  }

  /** At once, for a deploy being stopped: kills the master and removes the folder without waiting. */
  closeNow(): void {
    this.closeSync();
  }

  private closeSync(): void {
    this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    live.delete(this);
  }
}
