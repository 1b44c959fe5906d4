import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nixBuildArgs, nixCopyToArgs, nixStoreSignArgs } from '../../nix/nix-argv';
import { checkScaleOptions, checkSigningKeyLocation } from './options';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';

const top = '/fleet#nixosConfigurations.ares.config.system.build.toplevel';

describe('nix argv for builds that scale out', () => {
  it.each([
    [{ builders: 'ssh-ng://b1 x86_64-linux - 4' }, ['build', top, '--out-link', 'o', '--json', '--print-build-logs', '--builders', 'ssh-ng://b1 x86_64-linux - 4']],
    [{ buildHost: 'root@b1' }, ['build', top, '--no-link', '--json', '--print-build-logs', '--store', 'ssh-ng://root@b1', '--eval-store', 'auto']],
    [{ logFormat: 'internal-json' as const, extraArgs: ['-L'] }, ['build', top, '--out-link', 'o', '--json', '--print-build-logs', '-L', '--log-format', 'internal-json']],
    [{ dryRun: true, buildHost: 'b1' }, ['build', top, '--dry-run', '--store', 'ssh-ng://b1', '--eval-store', 'auto']],
  ])('nix build %j', (extra, expected) => {
    expect(nixBuildArgs({ installables: [top], outLink: 'o', ...extra })).toEqual(expected);
  });

  it('copies and signs', () => {
    expect(nixCopyToArgs('file:///tmp/c', '/nix/store/x-y')).toEqual(['copy', '--to', 'file:///tmp/c', '/nix/store/x-y']);
    expect(nixCopyToArgs('s3://b', '/nix/store/x-y', 'internal-json')).toEqual(['copy', '--to', 's3://b', '/nix/store/x-y', '--log-format', 'internal-json']);
    expect(nixStoreSignArgs('/k', '/nix/store/x-y')).toEqual(['store', 'sign', '--key-file', '/k', '--recursive', '/nix/store/x-y']);
  });
});

describe('checkScaleOptions', () => {
  const root = mkdtempSync(join(tmpdir(), 'scale-opts-'));
  writeFileSync(join(root, 'cache.key'), 'k');

  it('accepts store URLs, build hosts and a key under the workspace', () => {
    expect(checkScaleOptions({ buildHost: 'root@10.1.2.3', cacheTo: 'file:///var/cache/nix', signingKey: 'cache.key' }, root)).toEqual({
      buildHost: 'root@10.1.2.3',
      cacheTo: 'file:///var/cache/nix',
      signingKey: join(root, 'cache.key'),
      builders: undefined,
    });
  });

  it.each([
    [{ buildHost: '-oProxyCommand=evil' }, '--buildHost is "-oProxyCommand=evil"'],
    [{ buildHost: 'b1:2222' }, 'without a port'],
    [{ cacheTo: 'not a url' }, '--cacheTo is "not a url": expected a Nix store URL'],
    [{ signingKey: 'cache.key' }, '--signingKey needs --cacheTo'],
    [{ cacheTo: 'file:///c', signingKey: 'missing.key' }, '--signingKey file missing.key does not exist'],
    [{ builders: 'a\nb' }, '--builders must be one line'],
  ])('refuses %j', (options, message) => {
    expect(() => checkScaleOptions(options, root)).toThrow(message);
  });
});

describe('checkSigningKeyLocation', () => {
  const repo = mkdtempSync(join(tmpdir(), 'signing-key-'));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  mkdirSync(join(repo, 'secrets'));
  writeFileSync(join(repo, '.gitignore'), '*.sec\n');
  writeFileSync(join(repo, 'secrets', 'tracked.sec'), 'k');
  writeFileSync(join(repo, 'secrets', 'ignored.sec'), 'k');
  writeFileSync(join(repo, 'secrets', 'loose.key'), 'k');
  git('add', '-f', 'secrets/tracked.sec');

  it('allows a key outside the workspace or git-ignored inside it', async () => {
    await expect(checkSigningKeyLocation('/etc/nix/cache-key.sec', repo)).resolves.toBeUndefined();
    await expect(checkSigningKeyLocation(join(repo, 'secrets', 'ignored.sec'), repo)).resolves.toBeUndefined();
  });

  it('refuses a key git tracks, naming the fix', async () => {
    await expect(checkSigningKeyLocation(join(repo, 'secrets', 'tracked.sec'), repo)).rejects.toThrow(
      '--signingKey secrets/tracked.sec is inside the workspace and tracked by git: the flake would copy it into the world-readable /nix/store. Move it outside the repository (e.g. /etc/nix/cache-key.sec), then "git rm --cached secrets/tracked.sec"',
    );
  });

  it('refuses a tracked key named like a parent folder, or reached through a symlink', async () => {
    writeFileSync(join(repo, '..cache.sec'), 'k');
    git('add', '-f', '..cache.sec');
    await expect(checkSigningKeyLocation(join(repo, '..cache.sec'), repo)).rejects.toThrow('--signingKey ..cache.sec is inside the workspace and tracked by git');
    const link = `${repo}-link`;
    symlinkSync(repo, link);
    await expect(checkSigningKeyLocation(join(link, 'secrets', 'tracked.sec'), repo)).rejects.toThrow('--signingKey secrets/tracked.sec is inside the workspace and tracked by git');
  });

  it('refuses a key that git add -A would track', async () => {
    await expect(checkSigningKeyLocation(join(repo, 'secrets', 'loose.key'), repo)).rejects.toThrow('--signingKey secrets/loose.key is inside the workspace and not ignored by git');
  });
});
