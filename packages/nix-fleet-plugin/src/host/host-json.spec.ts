import { HostJsonError, parseHostJson } from './host-json';

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
      profiles: ['media'],
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

  it('reports broken JSON with the parser message', () => {
    expect(() => parseHostJson('{"type": ', file)).toThrow(/Invalid hosts\/ares\/host.json:\n {2}- not valid JSON/);
  });
});
