import { assertFleetName, assertHostName, assertHostNameFree, GeneratorInputError, parseHostsOption, parseList, reservedHostNames } from './names';

describe('parseList', () => {
  it.each([
    [undefined, []],
    ['', []],
    [' b , a ,, b,', ['b', 'a']],
    [['web1,web2', ' db ', '', 'web1'], ['web1', 'web2', 'db']],
    [[3 as unknown as string, 'x'], ['3', 'x']],
  ])('%j -> %j (trimmed, empty left out, first spelling kept, order kept)', (value, expected) => {
    expect(parseList(value)).toEqual(expected);
  });
});

describe('assertHostName', () => {
  it('returns the trimmed name', () => {
    expect(assertHostName('  web-1 ')).toBe('web-1');
    expect(assertHostName('a')).toBe('a');
    expect(assertHostName('x'.repeat(63))).toBe('x'.repeat(63));
  });

  it.each([undefined, null, 42, '', '   '])('asks for a missing name (%j) and says where it goes', (name) => {
    expect(() => assertHostName(name)).toThrow(new GeneratorInputError('Missing host name. Pass it first: nx g @nix-fleet/nx:host <name> --type=laptop.'));
  });

  it.each(['Web1', '-web', 'web-', 'web_1', 'a.b', 'x'.repeat(64), 'a b'])('refuses %j, naming the flag, the rule and an example', (name) => {
    expect.assertions(4);
    try {
      assertHostName(name, '--hosts entry');
    } catch (e) {
      expect(e).toBeInstanceOf(GeneratorInputError);
      expect((e as Error).name).toBe('GeneratorInputError');
      expect((e as Error).message).toContain(`Invalid --hosts entry "${name.trim()}": a host name is an RFC 1123 label`);
      expect((e as Error).message).toContain('Pick a name like "web-1".');
    }
  });

  it('names the flag "name" by default', () => {
    expect(() => assertHostName('Web1')).toThrow('Invalid name "Web1"');
  });
});

describe('reservedHostNames', () => {
  it('reserves the profile library and every default target, with the reason', () => {
    const reserved = reservedHostNames();
    expect(reserved.get('profiles')).toBe('the Nx project of the profile library (packages/profiles)');
    expect(reserved.get('build')).toBe('the name of a target every host has (nx run <host>:build)');
    expect([...reserved.keys()].sort()).toEqual(['build', 'closure-size', 'deploy', 'eval', 'exec', 'generations', 'profiles', 'rollback']);
  });

  it('reserves the renamed targets instead of the defaults', () => {
    expect([...reservedHostNames(['ship']).keys()]).toEqual(['profiles', 'ship']);
  });
});

describe('assertHostNameFree', () => {
  it('returns a free name', () => {
    expect(assertHostNameFree('web-1', 'name', { projects: new Map([['web-2', 'libs/web-2']]) })).toBe('web-1');
  });

  it.each([
    ['profiles', 'it is the Nx project of the profile library (packages/profiles). Pick another name, e.g. "profiles-1".'],
    ['deploy', 'it is the name of a target every host has (nx run <host>:deploy). Pick another name, e.g. "deploy-1".'],
  ])('refuses the reserved %j with the reason and a fix', (name, reason) => {
    expect(() => assertHostNameFree(name, '--hosts entry "x:vm"')).toThrow(`Invalid --hosts entry "x:vm": the host name "${name}" is reserved: ${reason}`);
  });

  it('follows renamed targets: the new name is reserved, the old one free', () => {
    const context = { targetNames: ['ship'] };
    expect(() => assertHostNameFree('ship', 'name', context)).toThrow('the host name "ship" is reserved');
    expect(assertHostNameFree('deploy', 'name', context)).toBe('deploy');
  });

  it.each([
    ['libs/web', 'libs/web'],
    ['', '.'],
  ])('refuses the name of another Nx project (root %j)', (root, shown) => {
    const projects = new Map([['web', root]]);
    expect(() => assertHostNameFree('web', 'name', { projects })).toThrow(
      `Invalid name: the host name "web" is taken by the Nx project at ${shown}, and Nx needs every project name once. Pick another name.`,
    );
  });
});

describe('parseHostsOption', () => {
  it('keeps the order given and the types', () => {
    expect(parseHostsOption('web1:server, ares:laptop,b:vm,c:desktop')).toEqual([
      { name: 'web1', type: 'server' },
      { name: 'ares', type: 'laptop' },
      { name: 'b', type: 'vm' },
      { name: 'c', type: 'desktop' },
    ]);
    expect(parseHostsOption(undefined)).toEqual([]);
  });

  it.each([
    ['ares', 'Invalid --hosts entry "ares": give name:type pairs, e.g. --hosts=ares:laptop,web1:server.'],
    ['ares:laptop:x', 'Invalid --hosts entry "ares:laptop:x": give name:type pairs'],
    ['Ares:laptop', 'Invalid --hosts entry "Ares"'],
    [':laptop', 'Missing host name'],
    ['ares:', 'Invalid --hosts entry "ares:": unknown type ""; use one of laptop, desktop, server, vm, e.g. --hosts=ares:laptop,web1:server.'],
    ['ares:Laptop', 'unknown type "Laptop"'],
    ['profiles:vm', 'Invalid --hosts entry "profiles:vm": the host name "profiles" is reserved'],
  ])('refuses %j by name', (value, message) => {
    expect(() => parseHostsOption(`web1:server,${value}`)).toThrow(message);
  });

  it('refuses a host given twice, even with another type', () => {
    expect(() => parseHostsOption('a:vm,b:vm,a:server')).toThrow('Host "a" is twice in --hosts. Give each host once.');
  });

  it('checks every entry against the workspace projects and renamed targets', () => {
    expect(() => parseHostsOption('a:vm,web:server', { projects: new Map([['web', 'apps/web']]) })).toThrow(
      'Invalid --hosts entry "web:server": the host name "web" is taken by the Nx project at apps/web',
    );
    expect(parseHostsOption('build:vm', { targetNames: ['ship'] })).toEqual([{ name: 'build', type: 'vm' }]);
  });
});

describe('assertFleetName', () => {
  it.each([
    ['my-fleet', 'my-fleet'],
    ['  fleet.v2_x ', 'fleet.v2_x'],
    ['0', '0'],
  ])('takes %j as %j', (name, expected) => {
    expect(assertFleetName(name)).toBe(expected);
  });

  it.each([
    [undefined, ''],
    ['', ''],
    ['My-Fleet', 'My-Fleet'],
    ['-fleet', '-fleet'],
    ['.fleet', '.fleet'],
    ['my fleet', 'my fleet'],
    ['fleet!', 'fleet!'],
    ['@scope/fleet', '@scope/fleet'],
  ])('refuses %j with the rule and an example', (name, shown) => {
    expect(() => assertFleetName(name)).toThrow(
      new GeneratorInputError(
        `Invalid name "${shown}": the fleet's name is its folder and its package.json name, so use lowercase letters, ` +
          'digits, ".", "_" and "-". Pick a name like "my-fleet".',
      ),
    );
  });
});
