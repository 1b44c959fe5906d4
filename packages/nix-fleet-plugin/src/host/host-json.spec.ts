import Ajv from 'ajv';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeSchemaError, HOST_SCHEMA_PATH, HOST_VALIDATOR_PATH, HostJsonError, parseHostJson } from './host-json';

const file = 'hosts/ares/host.json';
const parse = (data: unknown) => parseHostJson(JSON.stringify(data), file);

function problemsOf(data: unknown): string[] {
  try {
    parse(data);
  } catch (e) {
    if (e instanceof HostJsonError) return e.problems;
    throw e;
  }
  throw new Error('expected a HostJsonError');
}

describe('parseHostJson', () => {
  it('accepts a full record', () => {
    const host = {
      type: 'server',
      system: 'x86_64-linux',
      roles: ['web', 'monitoring'],
      nixpkgs: 'stable',
      profiles: ['media'],
      disabledProfiles: ['gaming', 'power-user.scientific.octave', 'gaming.remotePlay'],
      deployment: {
        targetHost: '10.0.0.11',
        targetUser: 'deploy',
        port: 2222,
        sshOptions: ['-J', 'bastion'],
        buildOn: 'remote',
        tags: ['homelab', 'rack:1'],
        healthChecks: [{ command: 'systemctl is-system-running --wait', timeout: 60 }, { url: 'http://127.0.0.1/' }],
      },
      budgets: { maxSize: '12GiB', maxGrowth: '5%' },
    };
    expect(parse(host)).toEqual(host);
  });

  it('accepts the minimal record', () => {
    expect(parse({ type: 'laptop', system: 'aarch64-linux' })).toEqual({ type: 'laptop', system: 'aarch64-linux' });
  });

  it.each([
    [{ system: 'x86_64-linux' }, '"type" is required'],
    [{ type: 'toaster', system: 'x86_64-linux' }, '"type" must be one of laptop, desktop, server, vm (got "toaster")'],
    [{ type: 'vm', system: 'riscv64-linux' }, '"system" must be one of x86_64-linux, aarch64-linux (got "riscv64-linux")'],
    [{ type: 'vm', system: 'x86_64-linux', colour: 'red' }, '"colour" is not a known field'],
    [{ type: 'vm', system: 'x86_64-linux', deployment: { port: 70000 } }, '"deployment.port" must be <= 65535 (got 70000)'],
    [{ type: 'vm', system: 'x86_64-linux', deployment: { targethost: 'x' } }, '"deployment.targethost" is not a known field of "deployment"'],
    [{ type: 'vm', system: 'x86_64-linux', roles: ['Web Server'] }, '"roles.0" must be a name of lowercase letters, digits and "-" (got "Web Server")'],
    [{ type: 'vm', system: 'x86_64-linux', deployment: { targetHost: 'a;rm -rf /' } }, '"deployment.targetHost" must be a hostname, an IP address or an ssh alias alone, e.g. "10.0.0.11" (a user goes in "deployment.targetUser", a port in "deployment.port") (got "a;rm -rf /")'],
    [{ type: 'vm', system: 'x86_64-linux', deployment: { healthChecks: [{ timeout: 3 }] } }, '"deployment.healthChecks.0.command" is required'],
    [{ type: 'vm', system: 'x86_64-linux', nixpkgs: 'nixos-24.05' }, '"nixpkgs" must be one of unstable, stable (got "nixos-24.05")'],
    [{ type: 'vm', system: 'x86_64-linux', nixpkgs: 'Stable' }, '"nixpkgs" must be one of unstable, stable (got "Stable")'],
    [{ type: 'vm', system: 'x86_64-linux', disabledProfiles: ['gaming..x'] }, '"disabledProfiles.0" must be a profile, or a path below one, such as "gaming" or "power-user.scientific.octave" (got "gaming..x")'],
    [{ type: 'vm', system: 'x86_64-linux', disabledProfiles: ['-gaming'] }, '"disabledProfiles.0" must be a profile, or a path below one, such as "gaming" or "power-user.scientific.octave" (got "-gaming")'],
    [{ type: 'vm', system: 'x86_64-linux', disabledProfiles: ['${builtins.abort "x"}'] }, '"disabledProfiles.0" must be a profile, or a path below one, such as "gaming" or "power-user.scientific.octave" (got "${builtins.abort \\"x\\"}")'],
    [{ type: 'desktop', system: 'x86_64-linux', profiles: ['ml', 'gaming'], disabledProfiles: ['gaming'] }, '"gaming" is in both "profiles" and "disabledProfiles": keep it in one of them.'],
    [{ type: 'server', system: 'x86_64-linux', roles: ['web'], disabledProfiles: ['server.roles.web'] }, '"server.roles.web" in "disabledProfiles" switches off the role "web" that "roles" switches on: keep it in one of them.'],
  ])('rejects %j', (data, problem) => {
    expect(problemsOf(data)).toContain(problem);
  });

  it('names the file, every problem and where to read more', () => {
    expect.assertions(1);
    try {
      parse({ type: 'toaster' });
    } catch (e) {
      expect((e as Error).message).toMatchInlineSnapshot(`
"Invalid hosts/ares/host.json:
  - "system" is required
  - "type" must be one of laptop, desktop, server, vm (got "toaster")
See the host.json reference in docs/reference/host-json.md."
`);
    }
  });

  it('accepts profiles and roles with nothing switched off', () => {
    const host = { type: 'server', system: 'x86_64-linux', profiles: ['media'], roles: ['web'] };
    expect(parse(host)).toEqual(host);
  });

  it('says what is wrong with a health check in words, not as a failed oneOf', () => {
    const host = { type: 'vm', system: 'x86_64-linux', deployment: { healthChecks: [{ timeout: 3 }] } };
    expect(problemsOf(host)).toEqual(['"deployment.healthChecks.0.command" is required', '"deployment.healthChecks.0.url" is required']);
  });

  it('names the whole record "(root)" when it is not an object', () => {
    expect(problemsOf('laptop')).toEqual(['"(root)" must be object (got "laptop")']);
  });

  it('is a HostJsonError by name too', () => {
    expect.assertions(2);
    try {
      parse({ type: 'toaster', system: 'x86_64-linux' });
    } catch (e) {
      expect((e as HostJsonError).name).toBe('HostJsonError');
      expect((e as HostJsonError).file).toBe(file);
    }
  });

  it.each([null, [], 'laptop', 3])('refuses %j as a whole without crashing on its fields', (data) => {
    expect(problemsOf(data).length).toBeGreaterThan(0);
  });

  it('reports broken JSON with the parser message', () => {
    expect(() => parseHostJson('{"type": ', file)).toThrow(/Invalid hosts\/ares\/host.json:\n {2}- not valid JSON/);
  });
});

describe('describeSchemaError', () => {
  it('shows the pattern of a field that has no rule in words yet', () => {
    const error = { keyword: 'pattern', instancePath: '/deployment/sshOptions/0', schemaPath: '', params: { pattern: '^-' }, message: 'x' };
    expect(describeSchemaError(error, { deployment: { sshOptions: ['x'] } })).toBe('"deployment.sshOptions.0" must be text matching ^- (got "x")');
  });

  it('leaves out the value where there is none', () => {
    const error = { keyword: 'minProperties', instancePath: '/budgets', schemaPath: '', params: {}, message: 'must NOT have fewer than 1 properties' };
    expect(describeSchemaError(error, {})).toBe('"budgets" must NOT have fewer than 1 properties');
    expect(describeSchemaError(error, { budgets: {} })).toBe('"budgets" must NOT have fewer than 1 properties (got {})');
  });
});

describe('the generated host.json validator', () => {
  const schemaText = readFileSync(HOST_SCHEMA_PATH, 'utf-8');
  const generated = readFileSync(HOST_VALIDATOR_PATH, 'utf-8');

  it('is generated from the current host.schema.json (npm run build regenerates it)', () => {
    const hash = createHash('sha256').update(schemaText).digest('hex');
    expect(generated.split('\n')[0]).toContain(`host.schema.json (sha256 ${hash})`);
  });

  // What Ajv's compiler says, with the options the generated file names, is what the plugin says.
  const options = JSON.parse(/options (\{.*?\})\./.exec(generated.split('\n')[0])?.[1] ?? '{}');
  const compiled = new Ajv(options).compile(JSON.parse(schemaText));
  const standalone = require(HOST_VALIDATOR_PATH) as typeof compiled;
  const ok = { type: 'vm', system: 'x86_64-linux' };
  it.each([
    ok,
    {},
    [],
    'laptop',
    null,
    { ...ok, $schema: 'x', roles: ['web', 'web'], profiles: ['media', 'A'] },
    { ...ok, budgets: { maxSize: 12, maxGrowth: '5 %', other: 1 } },
    { ...ok, budgets: { maxSize: 1.5, maxGrowth: true } },
    { ...ok, deployment: { targetHost: '', targetUser: 'Root', port: 0, sshOptions: [1], buildOn: 'cloud', tags: ['a b', 'a b'] } },
    { ...ok, deployment: { targetHost: 'fe80::1%eth0', port: 22.5, healthChecks: [{}, { command: '', url: 'ftp://x', timeout: 0 }, { command: 'x', url: 'https://y' }, 'x'] } },
    { ...ok, deployment: { targetHost: '😀', healthChecks: [{ url: 'https://y', timeout: 3601, extra: 1 }] } },
  ])('reports what Ajv reports for %j', (data) => {
    const expected = compiled(data) ? [] : compiled.errors;
    expect(standalone(data) ? [] : standalone.errors).toEqual(expected);
  });
});
