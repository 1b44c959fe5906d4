import { parseDrvName, parseStorePath } from './store-name';

describe('parseDrvName (as builtins.parseDrvName)', () => {
  it.each([
    ['firefox-120.0.1', 'firefox', '120.0.1'],
    ['nix-2.8.0', 'nix', '2.8.0'],
    ['python3.11-requests-2.31.0', 'python3.11-requests', '2.31.0'],
    ['linux-firmware-20231111-zstd', 'linux-firmware', '20231111-zstd'],
    ['nixos-system-ares', 'nixos-system-ares', ''],
    ['etc', 'etc', ''],
    ['openssl-3.0.12-bin', 'openssl', '3.0.12-bin'],
  ])('%s → %s %s', (name, pname, version) => {
    expect(parseDrvName(name)).toEqual({ pname, version });
  });
});

describe('parseStorePath', () => {
  it('splits hash, name and version', () => {
    expect(parseStorePath('/nix/store/brxfm0xnk7mk0cf4icxi5giamxlz0gyd-foo-1.2.3')).toEqual({
      path: '/nix/store/brxfm0xnk7mk0cf4icxi5giamxlz0gyd-foo-1.2.3',
      hash: 'brxfm0xnk7mk0cf4icxi5giamxlz0gyd',
      name: 'foo-1.2.3',
      pname: 'foo',
      version: '1.2.3',
    });
  });

  it('refuses what is not a store path', () => {
    expect(() => parseStorePath('/tmp/foo-1.0')).toThrow('Not a store path: "/tmp/foo-1.0"');
  });
});
