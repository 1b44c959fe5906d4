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

  it('names a role that does not exist in a "server.roles.<role>" path of disabledProfiles', () => {
    const withServer = { ...known, profiles: ['server'] };
    const run = (disabledProfiles: string[]) => () =>
      checkHostModules({ type: 'server', system: 'x86_64-linux', disabledProfiles } as never, 'hosts/web1/host.json', withServer);
    expect(run(['server.roles.web', 'server.roles.database.backup', 'server.hardening'])).not.toThrow();
    expect(run(['server.roles.mail'])).toThrow(
      '"disabledProfiles" has "server.roles.mail", but packages/profiles/server/roles defines no role "mail". Known roles: database, web.',
    );
  });

  it('says so when the workspace has none yet', () => {
    const none = { type: 'server', system: 'x86_64-linux', roles: ['web'], profiles: ['desktop'] } as never;
    expect(() => checkHostModules(none, 'f', { roles: [], profiles: [] })).toThrow(
      'Invalid f:\n  - "roles" has "web", which packages/profiles does not define. Known roles: none yet. Fix the name, or create it with: nx g @nix-fleet/nx:server-role web\n' +
        '  - "profiles" has "desktop", which packages/profiles does not define. Known profiles: none yet. Fix the name, or create it with: nx g @nix-fleet/nx:profile desktop\n',
    );
  });

  it('names every problem at once', () => {
    expect(check({ roles: ['web', 'mail', 'dns'], profiles: ['gaming'], disabledProfiles: ['desktop', 'media'] })).toThrow(
      /"roles" has "mail".*\n.*"roles" has "dns".*\n.*"profiles" has "gaming".*\n.*"disabledProfiles" has "media"/,
    );
  });

  it('reads only the server profile\'s "roles" as roles, and checks no role without server/roles', () => {
    const run = (disabledProfiles: string[], roles?: string[]) => () =>
      checkHostModules({ type: 'server', system: 'x86_64-linux', disabledProfiles } as never, 'f', { profiles: ['desktop', 'server'], roles });
    expect(run(['desktop.server.roles.mail'], ['web'])).not.toThrow();
    expect(run(['server.roles.mail'])).not.toThrow();
    expect(run(['server.roles.mail'], [])).toThrow('defines no role "mail". Known roles: none yet.');
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
