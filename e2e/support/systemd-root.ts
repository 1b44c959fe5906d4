// The root directory a systemd test host boots from: enough of Debian for systemd, sshd,
// nix-daemon and sudo, with /usr bind-mounted from this machine by systemd-nspawn.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The login that deploys with sudo, as on fleets that do not allow root over ssh. */
export const DEPLOY_USER = 'deploy';
const DEPLOY_UID = 1500;
/** The sudoers rule the deploy user has; a test removes it to see the refusal. */
export const SUDOERS_FILE = '/etc/sudoers.d/nix-fleet-deploy';

const NIX_CONF = [
  'experimental-features = nix-command flakes',
  'build-users-group =',
  'substituters =',
  'flake-registry = /etc/nix/registry.json',
  // As profiles.base sets on real hosts: the deploy user may copy unsigned paths in.
  `trusted-users = root ${DEPLOY_USER}`,
  '',
].join('\n');

// Debian's nix-setup-systemd would give the same; its install also rewrites this machine's
// /etc/nix/nix.conf (a conffile), so the container gets a unit of its own.
const NIX_DAEMON_UNIT = `[Unit]
Description=Nix daemon (nix-fleet test host)
RequiresMountsFor=/nix/store

[Service]
ExecStart=/usr/bin/nix-daemon
KillMode=process

[Install]
WantedBy=multi-user.target
`;

const SSHD_CONF = [
  'PasswordAuthentication no',
  'KbdInteractiveAuthentication no',
  'PermitRootLogin prohibit-password',
  'LogLevel INFO',
  '',
].join('\n');

/** Keeps from this machine's enabled units only what a NixOS-like test host runs. */
function pruneWants(etc: string): void {
  const system = join(etc, 'systemd/system');
  for (const entry of readdirSync(system, { withFileTypes: true })) {
    const path = join(system, entry.name);
    if (entry.isDirectory() && /\.(wants|requires)$/.test(entry.name)) {
      for (const unit of readdirSync(path)) if (unit !== 'ssh.service') rmSync(join(path, unit), { force: true });
    }
  }
  rmSync(join(system, 'dbus-org.freedesktop.timesync1.service'), { force: true });
}

function addUser(etc: string, home: string, publicKey: string): void {
  appendFileSync(join(etc, 'passwd'), `${DEPLOY_USER}:x:${DEPLOY_UID}:${DEPLOY_UID}:nix-fleet deploy:/home/${DEPLOY_USER}:/bin/sh\n`);
  // '*': no password, yet not locked (sshd refuses key logins of a locked account).
  appendFileSync(join(etc, 'shadow'), `${DEPLOY_USER}:*:19000:0:99999:7:::\n`);
  const groups = readFileSync(join(etc, 'group'), 'utf-8')
    .split('\n')
    .map((l) => (l.startsWith('sudo:') ? `${l}${l.endsWith(':') ? '' : ','}${DEPLOY_USER}` : l))
    .join('\n');
  writeFileSync(join(etc, 'group'), `${groups.replace(/\n*$/, '\n')}${DEPLOY_USER}:x:${DEPLOY_UID}:\n`);
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.ssh/authorized_keys'), publicKey);
  for (const p of [home, join(home, '.ssh'), join(home, '.ssh/authorized_keys')]) chownSync(p, DEPLOY_UID, DEPLOY_UID);
}

/** The sudoers line nix-fleet's refusal asks for (see src/deploy/privilege-check.ts). */
export function sudoersRule(user = DEPLOY_USER): string {
  return `${user} ALL=(root) NOPASSWD: /bin/sh\n`;
}

/** Writes the root; returns the host's public key as "type base64" for known_hosts. */
export function makeSystemdRoot(root: string, name: string, authorizedKey: string): string {
  for (const d of ['usr', 'var', 'tmp', 'run', 'root/.ssh', 'home', 'boot']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  for (const l of ['bin', 'sbin', 'lib', 'lib64']) symlinkSync(`usr/${l}`, join(root, l));
  const etc = join(root, 'etc');
  cpSync('/etc', etc, { recursive: true, verbatimSymlinks: true });
  // A machine id of its own: without one systemd's first boot enables every preset unit.
  writeFileSync(join(etc, 'machine-id'), `${randomBytes(16).toString('hex')}\n`);
  rmSync(join(etc, 'os-release'), { force: true });
  writeFileSync(join(etc, 'os-release'), readFileSync('/usr/lib/os-release'));
  writeFileSync(join(etc, 'hostname'), `${name}\n`);
  // sudo looks its host name up.
  appendFileSync(join(etc, 'hosts'), `127.0.1.1 ${name}\n`);
  pruneWants(etc);
  mkdirSync(join(etc, 'nix'), { recursive: true });
  writeFileSync(join(etc, 'nix/nix.conf'), NIX_CONF);
  writeFileSync(join(etc, 'systemd/system/nix-daemon.service'), NIX_DAEMON_UNIT);
  mkdirSync(join(etc, 'systemd/system/multi-user.target.wants'), { recursive: true });
  symlinkSync('../nix-daemon.service', join(etc, 'systemd/system/multi-user.target.wants/nix-daemon.service'));
  // A user manager hangs here (cgroup v1 without delegation) and the user's next login waits for it.
  const session = join(etc, 'pam.d/common-session');
  writeFileSync(session, readFileSync(session, 'utf-8').replace(/^(session\s.*pam_systemd.*)$/m, '# $1'));
  for (const f of readdirSync(join(etc, 'ssh'))) if (f.startsWith('ssh_host_')) rmSync(join(etc, 'ssh', f));
  mkdirSync(join(etc, 'ssh/sshd_config.d'), { recursive: true });
  writeFileSync(join(etc, 'ssh/sshd_config.d/nix-fleet.conf'), SSHD_CONF);
  const hostKey = join(etc, 'ssh/ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', hostKey]);
  writeFileSync(join(root, 'root/.ssh/authorized_keys'), authorizedKey);
  chmodSync(join(root, 'root/.ssh'), 0o700);
  addUser(etc, join(root, 'home', DEPLOY_USER), authorizedKey);
  writeFileSync(join(root, SUDOERS_FILE), sudoersRule(), { mode: 0o440 });
  return readFileSync(`${hostKey}.pub`, 'utf-8').split(' ').slice(0, 2).join(' ');
}
