// create-nix-fleet's argument checks and the commands it plans, without running them.
import { parseCreateArgs, UsageError } from '../../../packages/create-nix-fleet/src/args';
import { initialPackageJson, plannedCommands } from '../../../packages/create-nix-fleet/src/cli';

describe('create-nix-fleet arguments', () => {
  it.each([
    [['my-fleet'], { name: 'my-fleet', hosts: undefined, git: true, help: false }],
    [['my-fleet', '--hosts=ares:laptop,web1:server'], { name: 'my-fleet', hosts: 'ares:laptop,web1:server', git: true, help: false }],
    [['--no-git', 'f1'], { name: 'f1', hosts: undefined, git: false, help: false }],
    [['--help'], { name: '', git: true, help: true }],
  ])('parses %j', (argv, expected) => {
    expect(parseCreateArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], /Give the fleet's name once/],
    [['a', 'b'], /Give the fleet's name once/],
    [['../x'], /Invalid name "\.\.\/x"/],
    [['My Fleet'], /Invalid name "My Fleet"/],
    [['f', '--registry=x'], /Unknown option '--registry'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCreateArgs(argv)).toThrow(UsageError);
    expect(() => parseCreateArgs(argv)).toThrow(message);
  });

  it('pins nx and @nix-fleet/nx, and plans install, preset and git add as argv arrays', () => {
    expect(initialPackageJson('f', { version: '1.2.3', nxVersion: '23.2.1' })).toEqual({
      name: 'f',
      version: '0.0.0',
      private: true,
      devDependencies: { nx: '23.2.1', '@nix-fleet/nx': '1.2.3' },
    });
    expect(() => initialPackageJson('f', { version: '1.2.3' })).toThrow(/no nxVersion/);
    const steps = plannedCommands({ name: 'f', hosts: 'a:vm', git: true, help: false });
    expect(steps[0]).toEqual(['npm', 'install', '--no-audit', '--no-fund']);
    expect(typeof steps[1]).toBe('function');
    expect(steps.slice(2)).toEqual([['git', 'init', '-q'], ['git', 'add', '-A']]);
    expect(plannedCommands({ name: 'f', git: false, help: false })).toHaveLength(2);
  });
});
