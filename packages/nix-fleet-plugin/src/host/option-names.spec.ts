import { closestName, kebabCase, knownName, spelledLike, unknownOptionMessage } from './option-names';

const EXECUTOR = ['host', 'targetHost', 'targetUser', 'connectTimeout', 'memoryPerHostMiB'];

describe('kebabCase', () => {
  it.each([
    ['targetHost', 'target-host'],
    ['memoryPerHostMiB', 'memory-per-host-mi-b'],
    ['host', 'host'],
    ['exclude-inputs', 'exclude-inputs'],
  ])('%s -> %s', (name, expected) => {
    expect(kebabCase(name)).toBe(expected);
  });
});

describe('knownName', () => {
  it.each(['targetHost', 'target-host', 'targethost', 'TARGET_HOST', 'Target-Host', 'target_host'])('reads %s as targetHost', (key) => {
    expect(knownName(key, EXECUTOR)).toBe('targetHost');
  });

  it.each(['memory-per-host-mi-b', 'memory_per_host_mib', 'MEMORY-PER-HOST-MIB'])('reads %s as memoryPerHostMiB (every - and _ dropped)', (key) => {
    expect(knownName(key, EXECUTOR)).toBe('memoryPerHostMiB');
  });

  it.each(['target-hosts', 'targetHos', 'target host', 'target.host'])('knows no %j', (key) => {
    expect(knownName(key, EXECUTOR)).toBeUndefined();
  });
});

describe('closestName', () => {
  it.each([
    ['target-hots', 'targetHost'], // two letters swapped
    ['targetHst', 'targetHost'], // one left out
    ['targetHostt', 'targetHost'], // one added
    ['targetUsr', 'targetUser'],
    ['TARGET_USR', 'targetUser'],
    ['conect-timeout', 'connectTimeout'],
    ['hots', 'host'],
  ])('takes %s for %s', (key, expected) => {
    expect(closestName(key, EXECUTOR)).toBe(expected);
  });

  it('takes the closest, not the first close one', () => {
    expect(closestName('hose', ['horse', 'house', 'hose'])).toBe('hose');
    expect(closestName('bost', ['boasts', 'host'])).toBe('host');
  });

  it('takes the first of two equally close names', () => {
    expect(closestName('hat', ['cat', 'bat'])).toBe('cat');
    expect(closestName('hat', ['bat', 'cat'])).toBe('bat');
  });

  // Close enough: at most max(2, a third of the key's letters) edits.
  it.each([
    ['ab', 'abcd', 'abcd'], // 2 edits, the floor of 2
    ['a', 'abcd', undefined], // 3 edits on a short key
    ['', 'ab', 'ab'],
    ['', 'abc', undefined],
    ['abcdefgxyz', 'abcdefghij', 'abcdefghij'], // 10 letters: 3 edits
    ['abcdefwxyz', 'abcdefghij', undefined], // 10 letters: not 4
    ['abcdefghwxyz', 'abcdefghijkl', 'abcdefghijkl'], // 12 letters: 4 edits
    ['abcdefgvwxyz', 'abcdefghijkl', undefined], // 12 letters: not 5
    ['zzzzzzzzzz', 'targetHost', undefined],
  ])('%j against %j -> %j', (key, name, expected) => {
    expect(closestName(key, [name])).toBe(expected);
  });

  it('has nothing to offer from no names', () => {
    expect(closestName('host', [])).toBeUndefined();
  });
});

describe('spelledLike', () => {
  it.each([
    ['target-hots', 'targetHost', 'target-host'],
    ['targethots', 'targetHost', 'target-host'],
    ['targetHots', 'targetHost', 'targetHost'],
    ['TARGETHOTS', 'targetHost', 'targetHost'],
    ['exclude-input', 'exclude-inputs', 'exclude-inputs'],
    ['excludeInput', 'exclude-inputs', 'exclude-inputs'],
  ])('answers %s with %s as %s', (typed, name, expected) => {
    expect(spelledLike(typed, name)).toBe(expected);
  });
});

describe('unknownOptionMessage', () => {
  it('names the option, its owner and the closest known one, spelled as typed', () => {
    expect(unknownOptionMessage('target-hots', EXECUTOR, 'deploy')).toBe('Unknown option --target-hots for deploy. Did you mean --target-host?');
    expect(unknownOptionMessage('targetHots', EXECUTOR, 'deploy')).toBe('Unknown option --targetHots for deploy. Did you mean --targetHost?');
  });

  it('lists every known one when none is close', () => {
    expect(unknownOptionMessage('zzzzzzzzzz', ['host', 'memoryPerHostMiB'], 'eval')).toBe(
      'Unknown option --zzzzzzzzzz for eval. Known options: --host, --memory-per-host-mi-b.',
    );
    expect(unknownOptionMessage('zzzzzzzzzZ', ['host', 'memoryPerHostMiB'], 'eval')).toBe(
      'Unknown option --zzzzzzzzzZ for eval. Known options: --host, --memoryPerHostMiB.',
    );
  });

  it('takes another prefix (nx.json plugin options have none)', () => {
    expect(unknownOptionMessage('deployTargetNmae', ['deployTargetName'], 'the nix-fleet plugin in nx.json', '')).toBe(
      'Unknown option deployTargetNmae for the nix-fleet plugin in nx.json. Did you mean deployTargetName?',
    );
    expect(unknownOptionMessage('x', ['buildTargetName'], 'the plugin', '')).toBe('Unknown option x for the plugin. Known options: build-target-name.');
  });
});
