// tools/local-registry: the config it writes, the npm environment it hands out, and a real
// verdaccio that takes our packages only, proxies nothing it should not, and stops cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isOurVerdaccio,
  npmEnvFor,
  publishArgv,
  registryConfig,
  startLocalRegistry,
  withoutNpmConfig,
  type LocalRegistry,
} from '../../../tools/local-registry/registry';
import { REPO_ROOT } from '../../support/workspace';

const state = { url: 'http://127.0.0.1:4873', port: 4873, pid: 1, dir: '/tmp/reg' };

describe('local registry', () => {
  it('lets only @nix-fleet/* and create-nix-fleet be published and proxies the rest', () => {
    const config = registryConfig({ storage: '/tmp/reg/storage', port: 4873, upstream: 'https://registry.example/' });
    expect(config).toContain('listen: 127.0.0.1:4873\n');
    expect(config).toContain("  '@nix-fleet/*':\n    access: $all\n    publish: $all\n");
    expect(config).toContain("  'create-nix-fleet':\n    access: $all\n    publish: $all\n");
    expect(config).toContain("  '**':\n    access: $all\n    proxy: upstream\n");
    expect(config.match(/publish:/g)).toHaveLength(2);
    expect(config).toContain('    url: https://registry.example/\n');
  });

  it('hands npm a private user config and cache, and the token only on the command line', () => {
    expect(npmEnvFor(state)).toMatchObject({
      npm_config_userconfig: '/tmp/reg/npmrc',
      npm_config_registry: 'http://127.0.0.1:4873/',
      npm_config_cache: '/tmp/reg/npm-cache',
    });
    expect(publishArgv('dist/packages/x', state)).toEqual([
      'publish',
      'dist/packages/x',
      '--registry',
      'http://127.0.0.1:4873/',
      '--//127.0.0.1:4873/:_authToken=nix-fleet-local',
    ]);
    expect(withoutNpmConfig({ PATH: '/bin', npm_config_registry: 'a', NPM_CONFIG_USERCONFIG: 'b', Npm_Config_Cache: 'c' })).toEqual({ PATH: '/bin' });
    expect(isOurVerdaccio({ ...state, pid: process.pid })).toBe(false);
  });

  describe('a running verdaccio', () => {
    let registry: LocalRegistry;
    const dir = mkdtempSync(join(tmpdir(), `nix-fleet-registry-spec-${process.pid}-`));
    beforeAll(async () => {
      registry = await startLocalRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers on 127.0.0.1 only and refuses to publish a name that is not ours', () => {
      expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(isOurVerdaccio(registry)).toBe(true);
      expect(readFileSync(join(registry.dir, 'npmrc'), 'utf-8')).not.toMatch(/authToken/);
      const pkg = join(dir, 'not-ours');
      mkdirSync(pkg);
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'nix-fleet-not-ours', version: '0.0.1' }));
      expect(() => registry.publish(pkg)).toThrow(/npm publish .*not-ours failed/);
    });

    it('stops: the process is gone and its storage removed', async () => {
      const { pid, dir: storage } = registry;
      await registry.stop();
      expect(isOurVerdaccio(registry)).toBe(false);
      expect(() => process.kill(pid, 0)).toThrow();
      expect(existsSync(storage)).toBe(false);
      await registry.stop();
    });
  });

  it('the CLI refuses a bad --port before starting anything', () => {
    const env = { ...process.env, NIX_FLEET_REGISTRY_STATE: join(tmpdir(), `nix-fleet-registry-cli-${process.pid}.json`) };
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/local-registry/cli.mjs'), 'start', '--port=abc'], { env, encoding: 'utf-8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--port is "abc": expected a port number 1-65535.');
    expect(existsSync(env.NIX_FLEET_REGISTRY_STATE)).toBe(false);
  });
});
