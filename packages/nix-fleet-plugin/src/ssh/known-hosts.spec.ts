import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkKnownHostKey, hasKnownKey, knownHostsFiles } from './known-hosts';

describe('known_hosts under the fleet host name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'known-hosts-'));
  const known = join(dir, 'known_hosts');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
  const pub = readFileSync(join(dir, 'key.pub'), 'utf-8').split(' ').slice(0, 2).join(' ');
  const sshG = (extra = '') => `hostname 10.0.0.5\nport 22\nhostkeyalias web1\nuserknownhostsfile ${known}\nglobalknownhostsfile /dev/null\nstricthostkeychecking true\n${extra}`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a key bound to the name, hashed or not', () => {
    writeFileSync(known, `web1 ${pub}\n`);
    expect(() => checkKnownHostKey(sshG(), 'web1')).not.toThrow();
    execFileSync('ssh-keygen', ['-q', '-H', '-f', known]);
    expect(hasKnownKey('web1', [known])).toBe(true);
    expect(() => checkKnownHostKey(sshG(), 'web1')).not.toThrow();
  });

  it('finds the key in any of the files ssh reads', () => {
    const fleet = join(dir, 'fleet_known_hosts');
    writeFileSync(known, '');
    writeFileSync(fleet, `web1 ${pub}\n`);
    expect(() => checkKnownHostKey(sshG().replace('globalknownhostsfile /dev/null', `globalknownhostsfile ${fleet}`), 'web1')).not.toThrow();
  });

  it('refuses a key known only under the address, naming the command that binds it', () => {
    writeFileSync(known, `10.0.0.5 ${pub}\n`);
    expect(() => checkKnownHostKey(sshG(), 'web1')).toThrow(`has a key for 10.0.0.5 but none for the host name "web1"`);
    writeFileSync(known, `[10.0.0.5]:2222 ${pub}\n`);
    expect(() => checkKnownHostKey(sshG().replace('port 22', 'port 2222'), 'web1')).toThrow(`ssh-keygen -F '[10.0.0.5]:2222'`);
  });

  it('refuses no key at all with the ssh-keyscan fix, unless ssh would add it (accept-new)', () => {
    writeFileSync(known, '');
    expect(() => checkKnownHostKey(sshG(), 'web1')).toThrow("ssh-keyscan 10.0.0.5 | sed 's/^[^ ]* /web1 /' > /tmp/web1.key; ssh-keygen -lf /tmp/web1.key");
    // The three ways out, as a first contact needs them: fetch, compare the fingerprint, or accept-new.
    expect(() => checkKnownHostKey(sshG(), 'web1')).toThrow('compare the fingerprint with the one the machine itself shows');
    expect(() => checkKnownHostKey(sshG(), 'web1')).toThrow(`then add it: cat /tmp/web1.key >> ${known}. Or, for a first contact you trust, set "StrictHostKeyChecking accept-new" with a "UserKnownHostsFile" path`);
    expect(() => checkKnownHostKey(sshG().replace('stricthostkeychecking true', 'stricthostkeychecking accept-new'), 'web1')).not.toThrow();
  });

  it('reads the files ssh would, once each: user files first, those that exist, not /dev/null', () => {
    writeFileSync(known, '');
    const other = join(dir, 'other');
    writeFileSync(other, '');
    const cfg = { userknownhostsfile: `${known} ${join(dir, 'missing')} /dev/null`, globalknownhostsfile: `${other}  ${known}` };
    expect(knownHostsFiles(cfg)).toEqual([known, other]);
    expect(knownHostsFiles({ globalknownhostsfile: other })).toEqual([other]);
    expect(knownHostsFiles({})).toEqual([]);
    // none is no file, even when this folder has one by that name.
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      writeFileSync(join(dir, 'none'), '');
      expect(knownHostsFiles({ userknownhostsfile: 'none', globalknownhostsfile: known })).toEqual([known]);
    } finally {
      process.chdir(cwd);
    }
    expect(hasKnownKey('web1', [])).toBe(false);
  });

  it('fetches with the port, and adds to ~/.ssh/known_hosts when ssh reads no file that exists', () => {
    const noFiles = sshG().replace(`userknownhostsfile ${known}`, `userknownhostsfile ${join(dir, 'missing')}`).replace('port 22', 'port 2222');
    expect(() => checkKnownHostKey(noFiles, 'web1')).toThrow('known_hosts (~/.ssh/known_hosts) has no key for the host name "web1"');
    expect(() => checkKnownHostKey(noFiles, 'web1')).toThrow("ssh-keyscan -p 2222 10.0.0.5 | sed 's/^[^ ]* /web1 /' > /tmp/web1.key");
    expect(() => checkKnownHostKey(noFiles, 'web1')).toThrow('then add it: cat /tmp/web1.key >> ~/.ssh/known_hosts. Or,');
    expect(() => checkKnownHostKey(noFiles.replace('hostname 10.0.0.5\n', ''), 'web1')).toThrow("ssh-keyscan -p 2222 web1 | sed");
    // No HostName and a file ssh reads: nothing to look up under an address.
    writeFileSync(known, '');
    expect(() => checkKnownHostKey(sshG().replace('hostname 10.0.0.5\n', ''), 'web1')).toThrow(`has no key for the host name "web1"`);
  });

  it('leaves an operator\'s own HostKeyAlias to ssh', () => {
    writeFileSync(known, '');
    expect(() => checkKnownHostKey(sshG().replace('hostkeyalias web1', 'hostkeyalias other'), 'web1')).not.toThrow();
  });
});
