// create-nix-fleet's argument checks and the commands it plans, without running them.
import { parseCreateArgs, UsageError } from '../../../packages/create-nix-fleet/src/args';
import { initialPackageJson, nextSteps, plannedCommands } from '../../../packages/create-nix-fleet/src/cli';

describe('create-nix-fleet arguments', () => {
  it.each([
    [['my-fleet'], { name: 'my-fleet', hosts: undefined, hostList: [], git: true, help: false }],
    [
      ['my-fleet', '--hosts=ares:laptop,web1:server'],
      {
        name: 'my-fleet',
        hosts: 'ares:laptop,web1:server',
        hostList: [
          { name: 'ares', type: 'laptop' },
          { name: 'web1', type: 'server' },
        ],
        git: true,
        help: false,
      },
    ],
    [['--no-git', 'f1'], { name: 'f1', hosts: undefined, hostList: [], git: false, help: false }],
    [['--help'], { name: '', hostList: [], git: true, help: true }],
    [
      ['f2', '--admin-age-key', 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p'],
      { name: 'f2', hostList: [], adminAgeKey: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p', git: true, help: false },
    ],
  ])('parses %j', (argv, expected) => {
    expect(parseCreateArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], /Give the fleet's name once/],
    [['a', 'b'], /Give the fleet's name once/],
    [['../x'], /Invalid name "\.\.\/x"/],
    [['My Fleet'], /Invalid name "My Fleet"/],
    [['f', '--registry=x'], /Unknown option '--registry'/],
    // --hosts is checked here, before npm installs anything, by the plugin's own rules.
    [['x', '--hosts=a:toaster'], /^Invalid --hosts entry "a:toaster": unknown type "toaster"; use one of laptop, desktop, server, vm/],
    [['x', '--hosts=profiles:vm'], /^Invalid --hosts entry "profiles:vm": the host name "profiles" is reserved/],
    [['x', '--hosts=Web1:server'], /^Invalid --hosts entry "Web1"/],
    [['x', '--hosts=a:vm,a:server'], /Host "a" is twice in --hosts/],
    // A typo in the admin key (last character) fails the bech32 checksum, before npm runs.
    [['x', '--admin-age-key=age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8q'], /^Invalid --admin-age-key "age1ql3z.*": give an age public key/],
    [['x', '--admin-age-key=$(id)'], /^Invalid --admin-age-key "\$\(id\)"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCreateArgs(argv)).toThrow(UsageError);
    expect(() => parseCreateArgs(argv)).toThrow(message);
  });

  it('pins nx and @nix-fleet/nx, and plans install, preset, then a first commit on main, as argv arrays', () => {
    expect(initialPackageJson('f', { version: '1.2.3', nxVersion: '23.2.1' })).toEqual({
      name: 'f',
      version: '0.0.0',
      private: true,
      devDependencies: { nx: '23.2.1', '@nix-fleet/nx': '1.2.3' },
    });
    expect(() => initialPackageJson('f', { version: '1.2.3' })).toThrow(/no nxVersion/);
    const steps = plannedCommands({ name: 'f', hosts: 'a:vm', hostList: [{ name: 'a', type: 'vm' }], git: true, help: false });
    expect(steps[0]).toEqual(['npm', 'install', '--no-audit', '--no-fund']);
    expect(typeof steps[1]).toBe('function');
    expect(steps.slice(2)).toEqual([
      ['git', 'init', '-q', '-b', 'main'],
      ['git', 'add', '-A'],
      ['git', 'commit', '-q', '-m', 'New fleet f (npx create-nix-fleet)'],
    ]);
    expect(plannedCommands({ name: 'f', hostList: [], git: false, help: false })).toHaveLength(2);
  });

  it('ends with the next steps: hardware of the real machines, nix flake lock, commit', () => {
    const text = nextSteps({ name: 'f', hostList: [{ name: 'ares', type: 'laptop' }, { name: 'box', type: 'vm' }], git: true, help: false });
    expect(text).toContain('On each machine (ares), replace the placeholder hardware file');
    expect(text).toContain('nix flake lock');
    expect(text).toContain('git add -A && git commit');
    expect(text.indexOf('nix flake lock')).toBeLessThan(text.indexOf('git add -A'));
  });
});
