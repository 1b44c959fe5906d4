import { HostJsonError } from './host-json';
import { checkHostModules } from './known-modules';

describe('checkHostModules', () => {
  const known = { roles: ['database', 'web'], profiles: ['desktop', 'development'] };
  const check = (hostJson: object) => () => checkHostModules({ type: 'server', system: 'x86_64-linux', ...hostJson } as never, 'hosts/web1/host.json', known);

  it('accepts known roles and profiles, and health checks of one kind each', () => {
    expect(check({ roles: ['web'], profiles: ['development'], deployment: { healthChecks: [{ command: 'true' }, { url: 'http://127.0.0.1/' }] } })).not.toThrow();
  });

  it('names an unknown role with the known ones and the generator', () => {
    expect(check({ roles: ['mail'] })).toThrow('"roles" has "mail", which packages/profiles does not define. Known roles: database, web. Fix the name, or create it with: nx g @nix-fleet/nx:server-role mail');
  });

  it('accepts switching off a known profile or a path below it, and names an unknown one', () => {
    expect(check({ disabledProfiles: ['desktop', 'development.languages.rust'] })).not.toThrow();
    expect(check({ disabledProfiles: ['gaming.remotePlay'] })).toThrow(
      '"disabledProfiles" has "gaming.remotePlay", but packages/profiles defines no profile "gaming". Known profiles: desktop, development.',
    );
  });

  it('refuses a health check with both a command and a URL, in words', () => {
    expect.assertions(2);
    try {
      check({ deployment: { healthChecks: [{ command: 'true' }, { command: 'systemctl is-active nginx', url: 'http://127.0.0.1/' }] } })();
    } catch (e) {
      expect(e).toBeInstanceOf(HostJsonError);
      expect((e as Error).message).toContain('"deployment.healthChecks.1" has both "command" and "url": a check is one of them. Split it into two checks.');
    }
  });

  it('checks nothing where the workspace has no profile library to check against', () => {
    expect(() => checkHostModules({ type: 'server', system: 'x86_64-linux', roles: ['anything'] } as never, 'f', {})).not.toThrow();
  });
});
