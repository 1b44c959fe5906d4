// A throwaway verdaccio on 127.0.0.1 that serves this repo's built packages and proxies the rest.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './workspace';

export interface LocalRegistry {
  url: string;
  /** Environment for npm/npx: this registry, a private user config with its token. */
  env: NodeJS.ProcessEnv;
  publish(packageDir: string): void;
  stop(): void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer on ${url} within ${timeoutMs} ms`);
}

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), `nix-fleet-registry-${process.pid}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const upstream = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf-8' }).stdout.trim();
  const config = [
    `storage: ${join(dir, 'storage')}`,
    `listen: 127.0.0.1:${port}`,
    'uplinks:',
    '  upstream:',
    `    url: ${upstream}`,
    '    timeout: 60s',
    'packages:',
    "  '@nix-fleet/*':",
    '    access: $all',
    '    publish: $all',
    "  'create-nix-fleet':",
    '    access: $all',
    '    publish: $all',
    "  '**':",
    '    access: $all',
    '    proxy: upstream',
    'log: { type: stdout, format: pretty, level: warn }',
  ].join('\n');
  writeFileSync(join(dir, 'config.yaml'), `${config}\n`);
  const userconfig = join(dir, 'npmrc');
  writeFileSync(userconfig, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=test-token\n`);
  const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules', 'verdaccio', 'bin', 'verdaccio'), '-c', join(dir, 'config.yaml')], {
    stdio: 'ignore',
  });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilUp(url, child, 30_000);
  } catch (e) {
    stop();
    throw e;
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NPM_CONFIG_USERCONFIG: userconfig,
    npm_config_registry: `${url}/`,
    NPM_CONFIG_REGISTRY: `${url}/`,
    // A private cache: npx would otherwise run a create-nix-fleet of the same version from an earlier run.
    npm_config_cache: join(dir, 'npm-cache'),
  };
  return {
    url,
    env,
    publish(packageDir) {
      const result = spawnSync('npm', ['publish', packageDir, '--registry', `${url}/`], { env, encoding: 'utf-8' });
      if (result.status !== 0) throw new Error(`npm publish ${packageDir} failed:\n${result.stdout}\n${result.stderr}`);
    },
    stop,
  };
}
