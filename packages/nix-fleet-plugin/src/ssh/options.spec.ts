import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireOnPath } from '../../testing/on-path';
import { checkHostKeyPolicy, checkSshOptions, parseSshG } from './options';

const where = 'hosts/web1/host.json deployment.sshOptions';

describe('checkSshOptions', () => {
  it.each([
    [['-J', 'bastion']],
    [['-J', 'admin@bastion.lan:2222,jump2']],
    [['-i', '/root/.ssh/deploy_ed25519', '-o', 'IdentitiesOnly=yes']],
    [['-oConnectionAttempts=3', '-o', 'identitiesonly=yes', '-4', '-C']],
    [['-o', 'ProxyJump=none']],
    [['-o', 'IdentityFile=~/.ssh/id_%h']],
    [['-o', 'CertificateFile=~/.ssh/id_%h-cert.pub']],
    // Jump hosts by IPv6 address, and the ports at either end of the range.
    [['-J', 'admin@[2001:db8::1]:2222,[fe80::1]']],
    [['-J', 'h:1,h2:65535']],
    [['-iid_web1']],
    [[]],
  ])('allows %j', (options) => {
    expect(checkSshOptions(options, where)).toEqual(options);
  });

  it.each([
    [['-o', 'ProxyCommand=touch pwned'], '"-o ProxyCommand=touch pwned" is not an allowed ssh option'],
    [['-oProxyCommand=touch pwned'], '"-o ProxyCommand=touch pwned" is not an allowed ssh option'],
    [['-o', 'proxycommand=sh -c id'], 'is not an allowed ssh option'],
    [['-o', 'LocalCommand=id', '-o', 'PermitLocalCommand=yes'], '"-o LocalCommand=id" is not an allowed ssh option'],
    [['-o', 'KnownHostsCommand=/bin/id'], 'is not an allowed ssh option'],
    [['-o', 'RemoteCommand=id'], 'is not an allowed ssh option'],
    [['-F', '/tmp/evil_config'], '"-F" is not an allowed ssh option'],
    [['-F/tmp/evil_config'], '"-F/tmp/evil_config" is not an allowed ssh option'],
    [['-o', 'StrictHostKeyChecking=no'], 'is not an allowed ssh option'],
    [['-o', 'StrictHostKeyChecking=false'], 'is not an allowed ssh option'],
    [['-o', 'StrictHostKeyChecking="no"'], 'is not an allowed ssh option'],
    [['-o', 'UserKnownHostsFile=/dev/null'], 'is not an allowed ssh option'],
    [['-o', 'GlobalKnownHostsFile=/dev/null'], 'is not an allowed ssh option'],
    [['-o', 'Include=/tmp/x'], 'is not an allowed ssh option'],
    [['-o', 'Match=exec "id"'], 'is not an allowed ssh option'],
    [['-L', '80:localhost:80'], '"-L" is not an allowed ssh option'],
    [['-A'], '"-A" is not an allowed ssh option'],
    [['-o', 'ForwardAgent=yes'], 'is not an allowed ssh option'],
    [['-W', 'x:1'], '"-W" is not an allowed ssh option'],
    // Connection sharing is the deploy's own (a private control folder): inventory cannot join another master.
    [['-o', 'ControlPath=/tmp/theirs'], '"-o ControlPath=/tmp/theirs" is not an allowed ssh option'],
    [['-o', 'ControlMaster=auto'], 'is not an allowed ssh option'],
    [['-o', 'ControlPersist=yes'], 'is not an allowed ssh option'],
    [['-S', '/tmp/theirs'], '"-S" is not an allowed ssh option'],
    [['-M'], '"-M" is not an allowed ssh option'],
    [['-J', '-oProxyCommand=id'], 'ProxyJump="-oProxyCommand=id" is empty, starts with "-"'],
    // Every hop is checked, not just the first: ssh passes each to a command line of its own.
    [['-J', 'bastion,-oProxyCommand=x'], 'ProxyJump="bastion,-oProxyCommand=x" is not a list of [user@]host[:port] jump hosts'],
    [['-Jbastion,jump2,-oProxyCommand=x'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-o', 'ProxyJump=admin@bastion,-F/tmp/x'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'bastion,,jump2'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'bastion,'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'jump2,h:0'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'a$(id)b'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-o', 'ProxyJump=x`id`'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', "us'er@h"], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'h:99999'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'h:65536'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'h:'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'Admin@h'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', '@h'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'a@b@h'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'h-.lan'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', 'h$x.lan'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-J', '[::1;id]'], 'is not a list of [user@]host[:port] jump hosts'],
    [['-p', '22'], '"-p" is not an allowed ssh option'],
    [['-l', 'root'], '"-l" is not an allowed ssh option'],
    [['-o', 'User=root'], '"-o User=root" is not an allowed ssh option'],
    [['-o', 'ConnectTimeout=2147483647'], 'is not an allowed ssh option'],
    [['-o', 'ServerAliveInterval=0'], 'is not an allowed ssh option'],
    [['-o', 'HostKeyAlgorithms=+ssh-dss'], 'is not an allowed ssh option'],
    [['-o', 'KexAlgorithms=+diffie-hellman-group1-sha1'], 'is not an allowed ssh option'],
    [['-i'], '-i needs a value after it'],
    [['-4', '-o'], '-o needs a value after it'],
    [['-o', 'IdentitiesOnly'], '-o "IdentitiesOnly" must be written KEY=VALUE'],
    [['-o', 'Identities_Only=yes'], '-o "Identities_Only=yes" must be written KEY=VALUE'],
    [['-o', 'Compression='], 'Compression="" is empty'],
    [['-o', 'LogLevel=ERROR\0'], 'contains whitespace'],
    [['-o', 'LogLevel=a\tb'], 'contains whitespace'],
    [['-o', 'IdentityFile=$(id)', '-o', 'LogLevel=$(id)'], 'contains characters ssh or a shell would expand'],
    [['-o', 'HostKeyAlias=web2'], 'is not an allowed ssh option'],
    [['-o', 'Compression=yes\nProxyCommand=id'], 'contains whitespace'],
    [['--', 'x'], '"--" is not an allowed ssh option'],
    [['web1'], '"web1" is not an allowed ssh option'],
    [['-q', 42 as unknown as string], '"42" is not an allowed ssh option'],
  ])('refuses %j, naming it', (options, message) => {
    expect.assertions(2);
    try {
      checkSshOptions(options, where);
    } catch (e) {
      expect((e as Error).message).toMatch(message.includes('|') ? new RegExp(message) : message);
      expect((e as Error).message.startsWith(`${where}: `)).toBe(true);
    }
  });

  it('names what is allowed and where the rest belongs', () => {
    expect(() => checkSshOptions(['-o', 'ProxyCommand=x'], where)).toThrow(/Allowed: -4 -6 -C -q, -i -J -o VALUE.*ProxyJump.*own ssh config \(~\/\.ssh\/config or NIX_FLEET_SSH_CONFIG\)/);
  });
});

/** What the real ssh on this machine makes of options, without connecting. */
function sshG(...options: string[]): string {
  const r = spawnSync(requireOnPath('ssh', 'OpenSSH'), ['-G', '-F', '/dev/null', ...options, '--', 'web1.test'], { encoding: 'utf-8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}
describe('checkHostKeyPolicy on real ssh -G output', () => {
  it.each([
    ['StrictHostKeyChecking=no'],
    ['StrictHostKeyChecking=off'],
    ['StrictHostKeyChecking=false'],
    ['StrictHostKeyChecking="no"'],
    ['StrictHostKeyChecking=NO'],
  ])('refuses %s, whatever the spelling', (option) => {
    expect(() => checkHostKeyPolicy(sshG('-o', option), 'web1.test')).toThrow(
      'ssh to web1.test would not check its host key (StrictHostKeyChecking false',
    );
  });

  it.each(['/dev/null', '/dev/./null', '/dev/../dev/null', '/nonexistent-dir/known_hosts', '/dev/full', '/tmp'])('refuses accept-new with nowhere to remember keys: %s', (file) => {
    expect(() => checkHostKeyPolicy(sshG('-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${file}`), 'web1.test')).toThrow(
      `StrictHostKeyChecking accept-new, UserKnownHostsFile ${file}`,
    );
  });

  // ssh's word for no file, in any case (ssh -G prints it as none), not a file "none" in this folder.
  it.each(['none', 'NONE', 'None'])('refuses accept-new with UserKnownHostsFile=%s', (word) => {
    expect(() => checkHostKeyPolicy(sshG('-o', 'StrictHostKeyChecking=accept-new', '-o', `UserKnownHostsFile=${word}`), 'web1.test')).toThrow(
      'StrictHostKeyChecking accept-new, UserKnownHostsFile none)',
    );
  });

  it('accepts accept-new with a known_hosts file in a folder that exists', () => {
    expect(() => checkHostKeyPolicy(sshG('-o', 'StrictHostKeyChecking=accept-new', '-o', 'UserKnownHostsFile=/tmp/nix-fleet-spec-known_hosts'), 'web1.test')).not.toThrow();
  });

  it.each([[[]], [['-o', 'StrictHostKeyChecking=yes']], [['-o', 'UserKnownHostsFile=/dev/null']]])(
    'accepts %j (checked, or failing closed under BatchMode)',
    (options) => {
      expect(() => checkHostKeyPolicy(sshG(...options), 'web1.test')).not.toThrow();
    },
  );

  it('reads the first value of each key', () => {
    expect(parseSshG('user root\nport 22\nport 23\n')).toEqual({ user: 'root', port: '22' });
  });

  it('keeps a value whole, without its line end, and skips lines with no key', () => {
    expect(parseSshG(' stray\nuserknownhostsfile /a/kh /b/kh \r\nbatchmode\n\n')).toEqual({ userknownhostsfile: '/a/kh /b/kh' });
  });
});

describe('checkHostKeyPolicy on recorded ssh -G lines', () => {
  const g = (lines: string[]) => ['user root', 'hostname web1.test', 'port 22', ...lines].join('\n');
  it.each([
    [['stricthostkeychecking false']],
    [['stricthostkeychecking accept-new', 'userknownhostsfile /dev/null']],
    [['stricthostkeychecking accept-new', 'userknownhostsfile /dev/null /nonexistent-dir/kh']],
    // ssh adds new keys to the first file only.
    [['stricthostkeychecking accept-new', 'userknownhostsfile /dev/null /tmp/kh']],
    [['stricthostkeychecking accept-new', 'userknownhostsfile /nonexistent-dir/kh /tmp/kh']],
  ])('refuses %j', (lines) => {
    expect(() => checkHostKeyPolicy(g(lines), 'web1.test')).toThrow(/^ssh to web1\.test would not check its host key .*ssh-keyscan web1\.test/);
  });

  it.each([
    [['stricthostkeychecking true']],
    [['stricthostkeychecking ask', 'userknownhostsfile /dev/null']],
    [['stricthostkeychecking accept-new', 'userknownhostsfile /tmp/kh /dev/null']],
    [[]],
  ])('accepts %j', (lines) => {
    expect(() => checkHostKeyPolicy(g(lines), 'web1.test')).not.toThrow();
  });

  describe('accept-new needs a known_hosts file it can keep keys in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'host-key-policy-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const acceptNew = (files?: string) => g(['stricthostkeychecking accept-new', ...(files === undefined ? [] : [`userknownhostsfile ${files}`])]);

    it('refuses none at all, saying so', () => {
      expect(() => checkHostKeyPolicy(acceptNew(), 'web1.test')).toThrow('(StrictHostKeyChecking accept-new, UserKnownHostsFile default)');
    });

    it('refuses a link to /dev/null, and a file inside a file', () => {
      symlinkSync('/dev/null', join(dir, 'linked'));
      writeFileSync(join(dir, 'plain'), '');
      expect(() => checkHostKeyPolicy(acceptNew(join(dir, 'linked')), 'web1.test')).toThrow('would not check its host key');
      expect(() => checkHostKeyPolicy(acceptNew(join(dir, 'plain', 'known_hosts')), 'web1.test')).toThrow('would not check its host key');
    });

    it('accepts a file that is there, one still to be made, and one under ~/', () => {
      writeFileSync(join(dir, 'there'), '');
      expect(() => checkHostKeyPolicy(acceptNew(join(dir, 'there')), 'web1.test')).not.toThrow();
      expect(() => checkHostKeyPolicy(acceptNew(join(dir, 'not-yet')), 'web1.test')).not.toThrow();
      expect(() => checkHostKeyPolicy(acceptNew('~/.nix-fleet-spec-known_hosts'), 'web1.test')).not.toThrow();
    });
  });

  it('the first StrictHostKeyChecking line counts, as for ssh', () => {
    expect(() => checkHostKeyPolicy(g(['stricthostkeychecking false', 'stricthostkeychecking true']), 'web1.test')).toThrow('StrictHostKeyChecking false');
  });
});
