// Pure builders of ssh and nix copy argument arrays, and the remote command line they carry.
import { shQuote } from '../process/sh-quote';

export { shQuote };
//
// ssh always hands the remote side ONE string that the login shell parses, so every remote
// command is an argv we quote ourselves with shQuote; nothing from host.json reaches a
// shell unquoted.

/** Quotes an argv into the one command string ssh sends. */
export function shJoin(argv: string[]): string {
  if (argv.length === 0) throw new Error('shJoin: empty argv');
  return argv.map(shQuote).join(' ');
}

export interface SshTarget {
  /** Hostname, address or ssh config alias. */
  host: string;
  user?: string;
  port?: number;
  /** From host.json deployment.sshOptions, then the executor's sshOptions. */
  sshOptions: string[];
  /** Seconds for the TCP connect and key exchange. */
  connectTimeout: number;
  /** The deploying machine's own ssh config (NIX_FLEET_SSH_CONFIG), passed as -F before anything else. */
  configFile?: string;
  /** The fleet's known_hosts (host keys pinned by install), read as GlobalKnownHostsFile. */
  knownHostsFile?: string;
  /**
   * The name the host key is looked up under in known_hosts (ssh's HostKeyAlias): the fleet host
   * name, so an address that now reaches another machine fails host-key verification.
   */
  hostKeyAlias?: string;
}

function configArgs(target: Pick<SshTarget, 'configFile'>): string[] {
  return target.configFile ? ['-F', target.configFile] : [];
}

/** user@host, or host alone when no user is set (the ssh config may name one). */
export function sshDestination(target: Pick<SshTarget, 'host' | 'user'>): string {
  return target.user ? `${target.user}@${target.host}` : target.host;
}

/** The config file, the user's options and port, then ours for connecting: what every ssh call and nix copy share. */
function connectOptions(target: SshTarget): string[] {
  return [
    ...configArgs(target),
    ...target.sshOptions,
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.knownHostsFile ? ['-o', `GlobalKnownHostsFile=${target.knownHostsFile}`] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${target.connectTimeout}`,
    ...(target.hostKeyAlias ? ['-o', `HostKeyAlias=${target.hostKeyAlias}`] : []),
  ];
}

/**
 * Options we add after the user's: ssh keeps the first value it sees for an option, so the
 * user's own -o settings win. Host key checking is never weakened here; BatchMode makes an
 * unknown or changed key fail instead of prompting.
 */
export function sshBaseOptions(target: SshTarget): string[] {
  return [
    ...connectOptions(target),
    // A link that dies mid-command is noticed within ~9 s instead of the TCP timeout.
    '-o',
    'ServerAliveInterval=3',
    '-o',
    'ServerAliveCountMax=3',
  ];
}

/** Options that make one ssh call a session of the master at `controlPath`, never a master itself. */
export function sshMuxOptions(controlPath: string): string[] {
  return ['-o', `ControlPath=${controlPath}`, '-o', 'ControlMaster=no'];
}

/** Options that forbid connection sharing: the call proves a NEW connection can be made. */
export const SSH_FRESH_OPTIONS = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];

/**
 * ssh argv running `remote` (an argv, quoted here) on the target. `fresh` forbids connection
 * sharing, so the command proves a NEW connection can be made; `controlPath` runs it as a
 * session of our master there (ssh connects on its own when that master is gone).
 */
export function sshCommandArgs(target: SshTarget, remote: string[], opts: { fresh?: boolean; controlPath?: string } = {}): string[] {
  const sharing = opts.fresh ? SSH_FRESH_OPTIONS : opts.controlPath ? sshMuxOptions(opts.controlPath) : [];
  return [...sshBaseOptions(target), ...sharing, '-T', '--', sshDestination(target), shJoin(remote)];
}

/**
 * The master of a multiplexed connection, its socket at `controlPath` (in a private folder).
 * It runs `cat` as its own session, so it ends when the deployer closes its stdin or dies;
 * ControlPersist=no keeps it from going to the background.
 */
export function sshMasterArgs(target: SshTarget, controlPath: string): string[] {
  return [
    ...sshBaseOptions(target),
    '-o',
    'ControlMaster=yes',
    '-o',
    `ControlPath=${controlPath}`,
    '-o',
    'ControlPersist=no',
    '-T',
    '--',
    sshDestination(target),
    'cat',
  ];
}

/**
 * `ssh -G`: the configuration ssh would use for the target, printed without connecting.
 * `before` are options ahead of ours, as nix copy puts an inherited NIX_SSHOPTS.
 */
export function sshEffectiveConfigArgs(target: SshTarget, before: string[] = []): string[] {
  return ['-G', ...before, ...sshBaseOptions(target), '--', sshDestination(target)];
}

/** The store URL for nix copy: never with a port (ssh would look up "host:port" as a name). */
export function sshNgStoreUri(target: Pick<SshTarget, 'host' | 'user'>): string {
  return `ssh-ng://${sshDestination(target)}`;
}

/**
 * NIX_SSHOPTS for nix copy. Nix splits it on whitespace with no quoting, so an option
 * containing whitespace cannot be passed and is refused with the fix. With `controlPath`,
 * the ssh Nix starts is a session of our master: Nix 2.8's ssh-ng store starts no master of
 * its own (it does only with max-connections > 1) and waits for no "started" line from a
 * plain connection, so its `ssh HOST -x -a $NIX_SSHOPTS nix-daemon --stdio` simply joins ours.
 */
export function nixSshOpts(target: SshTarget, inherited?: string, controlPath?: string): string {
  // ssh takes the first value of an option: the shared connection's go before an inherited
  // NIX_SSHOPTS, whose own ControlPath would otherwise send nix copy through a socket we do not own.
  const mux = controlPath ? sshMuxOptions(controlPath) : [];
  const opts = [...mux, ...connectOptions(target)];
  const bad = opts.find((o) => /\s/.test(o) || o === '');
  if (bad !== undefined) {
    throw new Error(
      `ssh option ${JSON.stringify(bad)} contains whitespace, which NIX_SSHOPTS cannot carry. ` +
        'Split it into separate array items (["-o", "Key=value"]) or move it into your ssh config.',
    );
  }
  return [...mux, inherited?.trim(), ...connectOptions(target)].filter(Boolean).join(' ');
}

export interface NixCopyArgs {
  storeUri: string;
  outPath: string;
  /** Let the target fetch what it can from its own binary caches. */
  substituteOnTarget?: boolean;
  /** Keep Nix's signature check (paths must be signed by a key the target trusts). */
  checkSigs?: boolean;
  /** outPath is a derivation: copy it and its derivation closure, not its outputs (buildOn remote). */
  derivation?: boolean;
}

export function nixCopyArgs({ storeUri, outPath, substituteOnTarget, checkSigs, derivation }: NixCopyArgs): string[] {
  return [
    'copy',
    ...(derivation ? ['--derivation'] : []),
    '--to',
    storeUri,
    ...(substituteOnTarget ? ['--substitute-on-destination'] : []),
    ...(checkSigs ? [] : ['--no-check-sigs']),
    outPath,
  ];
}

/** Prefixes a remote argv with the privilege command when the target user is not root. */
export function withPrivilege(argv: string[], user: string | undefined, privilege: string[]): string[] {
  if (!user || user === 'root') return argv;
  return [...privilege, ...argv];
}
