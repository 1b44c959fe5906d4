import { execFileSync } from 'node:child_process';
import { nixCopyArgs, nixSshOpts, shJoin, shQuote, sshBaseOptions, sshCommandArgs, sshDestination, sshEffectiveConfigArgs, sshMasterArgs, sshNgStoreUri, withPrivilege, type SshTarget } from './argv';

const target = (over: Partial<SshTarget> = {}): SshTarget => ({ host: 'web1', sshOptions: [], connectTimeout: 10, ...over });
const BASE = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'ServerAliveInterval=3', '-o', 'ServerAliveCountMax=3'];

describe('shQuote', () => {
  it.each([
    ['plain', 'plain'],
    ['/nix/store/abc-nixos-system-web1', '/nix/store/abc-nixos-system-web1'],
    ['key=value,a:b@c%d+e', 'key=value,a:b@c%d+e'],
    ['', "''"],
    ['two words', "'two words'"],
    ["it's", `'it'\\''s'`],
    ['$HOME', "'$HOME'"],
    ['a;rm -rf /', "'a;rm -rf /'"],
    ['`id`', "'`id`'"],
    ['line\nbreak', "'line\nbreak'"],
    ['*', "'*'"],
    ['#comment', "'#comment'"],
    ['.#web1', '.#web1'],
    ['/fleet#nixosConfigurations.web1', '/fleet#nixosConfigurations.web1'],
    ['drv^out', 'drv^out'],
    ['~', "'~'"],
  ])('%j -> %s', (word, quoted) => {
    expect(shQuote(word)).toBe(quoted);
  });

  it('round-trips every nasty word through a real POSIX shell unchanged', () => {
    const words = ['', ' ', "'", '"', '\\', '$(id)', '${x}', '`id`', 'a b\tc\nd', "''", '!', '#c', '&&', '|', '>x', '*', '?', '[a]', '~root', '-n', 'é ü'];
    const out = execFileSync('/bin/sh', ['-c', `for w in ${shJoin(words)}; do printf '%s\\0' "$w"; done`], { encoding: 'utf-8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });

  it('refuses an empty argv', () => {
    expect(() => shJoin([])).toThrow('empty argv');
  });
});

describe('ssh argv', () => {
  it.each([
    [target(), 'web1'],
    [target({ user: 'deploy' }), 'deploy@web1'],
    [target({ host: '10.0.0.11', user: 'root' }), 'root@10.0.0.11'],
  ])('destination %#', (t, dest) => {
    expect(sshDestination(t)).toBe(dest);
    expect(sshNgStoreUri(t)).toBe(`ssh-ng://${dest}`);
  });

  it.each([
    [target(), BASE],
    [target({ port: 2222 }), ['-p', '2222', ...BASE]],
    [target({ sshOptions: ['-F', '/tmp/cfg', '-J', 'bastion'] }), ['-F', '/tmp/cfg', '-J', 'bastion', ...BASE]],
    [target({ port: 22, knownHostsFile: '/fleet/known_hosts' }), ['-p', '22', '-o', 'GlobalKnownHostsFile=/fleet/known_hosts', ...BASE]],
    [target({ connectTimeout: 3 }), ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', '-o', 'ServerAliveInterval=3', '-o', 'ServerAliveCountMax=3']],
  ])('base options %#: user options first so they win', (t, args) => {
    expect(sshBaseOptions(t)).toEqual(args);
  });

  it.each([
    [target(), ['readlink', '-f', '/run/current-system'], {}, [...BASE, '-T', '--', 'web1', 'readlink -f /run/current-system']],
    [target({ user: 'ops', port: 22 }), ['sh', '-c', 'echo "$1"', 'x', "a b"], {}, ['-p', '22', ...BASE, '-T', '--', 'ops@web1', `sh -c 'echo "$1"' x 'a b'`]],
    [target(), ['true'], { fresh: true }, [...BASE, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-T', '--', 'web1', 'true']],
    [target(), ['true'], { controlPath: '/tmp/nix-fleet-ssh-a1/socket' }, [...BASE, '-o', 'ControlPath=/tmp/nix-fleet-ssh-a1/socket', '-o', 'ControlMaster=no', '-T', '--', 'web1', 'true']],
    // The confirmation's new login, even while a shared connection is up.
    [target(), ['true'], { fresh: true, controlPath: '/tmp/nix-fleet-ssh-a1/socket' }, [...BASE, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', '-T', '--', 'web1', 'true']],
  ])('command %#', (t, remote, opts, args) => {
    expect(sshCommandArgs(t, remote, opts)).toEqual(args);
  });

  it.each([
    [target(), [...BASE, '-o', 'ControlMaster=yes', '-o', 'ControlPath=/tmp/d/socket', '-o', 'ControlPersist=no', '-T', '--', 'web1', 'cat']],
    [
      target({ user: 'ops', port: 2222, sshOptions: ['-J', 'bastion'], configFile: '/etc/fleet/ssh_config' }),
      ['-F', '/etc/fleet/ssh_config', '-J', 'bastion', '-p', '2222', ...BASE, '-o', 'ControlMaster=yes', '-o', 'ControlPath=/tmp/d/socket', '-o', 'ControlPersist=no', '-T', '--', 'ops@web1', 'cat'],
    ],
  ])('shared connection master %#: our socket, in the foreground, after the user options', (t, args) => {
    expect(sshMasterArgs(t, '/tmp/d/socket')).toEqual(args);
  });

  it.each([
    [undefined, ['nix-env'], ['nix-env']],
    ['root', ['nix-env'], ['nix-env']],
    ['deploy', ['nix-env', '-p', 'x'], ['sudo', '-n', 'nix-env', '-p', 'x']],
  ])('privilege for user %s', (user, argv, out) => {
    expect(withPrivilege(argv, user, ['sudo', '-n'])).toEqual(out);
  });

  it('uses run0 when asked, and nothing when no privilege command is set', () => {
    expect(withPrivilege(['true'], 'deploy', ['run0'])).toEqual(['run0', 'true']);
    expect(withPrivilege(['true'], 'deploy', [])).toEqual(['true']);
  });

  it('ssh -G sees what a connection would: options handed in before ours, then ours, then the destination', () => {
    expect(sshEffectiveConfigArgs(target({ user: 'ops', configFile: '/etc/fleet/ssh_config' }), ['-o', 'ControlPath=/x'])).toEqual([
      '-G',
      '-o',
      'ControlPath=/x',
      '-F',
      '/etc/fleet/ssh_config',
      ...BASE,
      '--',
      'ops@web1',
    ]);
    expect(sshEffectiveConfigArgs(target())).toEqual(['-G', ...BASE, '--', 'web1']);
  });
});

describe('nix copy', () => {
  it.each([
    [{ storeUri: 'ssh-ng://web1', outPath: '/nix/store/x' }, ['copy', '--to', 'ssh-ng://web1', '--no-check-sigs', '/nix/store/x']],
    [{ storeUri: 'ssh-ng://web1', outPath: '/nix/store/x', checkSigs: true }, ['copy', '--to', 'ssh-ng://web1', '/nix/store/x']],
    [
      { storeUri: 'ssh-ng://root@web1', outPath: '/nix/store/x', substituteOnTarget: true },
      ['copy', '--to', 'ssh-ng://root@web1', '--substitute-on-destination', '--no-check-sigs', '/nix/store/x'],
    ],
    [{ storeUri: 'ssh-ng://web1', outPath: '/nix/store/x.drv', derivation: true, checkSigs: true }, ['copy', '--derivation', '--to', 'ssh-ng://web1', '/nix/store/x.drv']],
  ])('args %#', (input, args) => {
    expect(nixCopyArgs(input)).toEqual(args);
  });

  it.each([
    [target(), undefined, '-o BatchMode=yes -o ConnectTimeout=10'],
    [target({ port: 2222, sshOptions: ['-F', '/tmp/cfg'] }), undefined, '-F /tmp/cfg -p 2222 -o BatchMode=yes -o ConnectTimeout=10'],
    [target(), ' -v ', '-v -o BatchMode=yes -o ConnectTimeout=10'],
    [target(), '  ', '-o BatchMode=yes -o ConnectTimeout=10'],
  ])('NIX_SSHOPTS %#: the port travels here, never in the store URL', (t, inherited, opts) => {
    expect(nixSshOpts(t, inherited)).toBe(opts);
  });

  it('NIX_SSHOPTS joins the shared connection: nix copy logs in no more', () => {
    expect(nixSshOpts(target({ port: 2222 }), undefined, '/tmp/nix-fleet-ssh-a1/socket')).toBe(
      '-o ControlPath=/tmp/nix-fleet-ssh-a1/socket -o ControlMaster=no -p 2222 -o BatchMode=yes -o ConnectTimeout=10',
    );
  });

  it('an inherited NIX_SSHOPTS cannot move nix copy off the shared connection: ours come first, and ssh keeps the first value', () => {
    const inherited = '-o ControlMaster=auto -o ControlPath=/tmp/ssh-%r@%h:%p -o ControlPersist=60';
    const opts = nixSshOpts(target({}), inherited, '/tmp/nix-fleet-ssh-a1/socket').split(' ');
    expect(opts.indexOf('ControlPath=/tmp/nix-fleet-ssh-a1/socket')).toBeLessThan(opts.indexOf('ControlPath=/tmp/ssh-%r@%h:%p'));
    expect(opts.indexOf('ControlMaster=no')).toBeLessThan(opts.indexOf('ControlMaster=auto'));
  });

  it('refuses an empty option, which NIX_SSHOPTS would lose', () => {
    expect(() => nixSshOpts(target({ sshOptions: ['-o', ''] }))).toThrow(/^ssh option "" .*NIX_SSHOPTS cannot carry/);
  });

  it('refuses an option NIX_SSHOPTS cannot carry, naming it and the fix', () => {
    expect(() => nixSshOpts(target({ sshOptions: ['-o', 'ProxyCommand=nc %h %p'] }))).toThrow(
      /ssh option "ProxyCommand=nc %h %p" contains whitespace.*Split it into separate array items/,
    );
  });
});

describe('host key binding', () => {
  const target: SshTarget = { host: '10.0.0.5', sshOptions: ['-o', 'LogLevel=ERROR'], connectTimeout: 10, hostKeyAlias: 'web1' };
  it('looks the key up under the fleet host name, after the user\'s options, in ssh calls and nix copy alike', () => {
    expect(sshBaseOptions(target).slice(0, 8)).toEqual(['-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'HostKeyAlias=web1']);
    expect(nixSshOpts(target)).toContain('-o HostKeyAlias=web1');
    expect(sshCommandArgs(target, ['true'])).toContain('HostKeyAlias=web1');
  });
});
