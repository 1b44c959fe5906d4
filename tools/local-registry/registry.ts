// A local npm registry (verdaccio on 127.0.0.1) that serves this repository's built packages
// and proxies every other package to the registry npm already uses. Used by the e2e suites
// (start in beforeAll, stop in afterAll) and by cli.mjs (start, publish, stop from a shell).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const VERDACCIO_BIN = join(REPO_ROOT, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
const DIR_MARKER = 'NIX_FLEET_REGISTRY_DIR';

/** What `npm run build` writes and what a new user installs: the plugin and the CLI. */
export const BUILT_PACKAGES = ['dist/packages/nix-fleet-plugin', 'dist/packages/create-nix-fleet'];
/** The only names this registry accepts a publish for; everything else is proxied. */
export const OWN_PACKAGES = ['@nix-fleet/*', 'create-nix-fleet'];

export interface RegistryState {
  url: string;
  port: number;
  pid: number;
  /** Temp folder with config.yaml, storage/, npmrc, npm-cache/ and verdaccio.log. */
  dir: string;
}

export interface LocalRegistry extends RegistryState {
  /** npm/npx variables that point at this registry only, with a private user config and cache. */
  npmEnv: Record<string, string>;
  /** process.env without its npm_config_* (npm run sets some), plus npmEnv. */
  env: NodeJS.ProcessEnv;
  /** npm publish of a package folder; returns "name@version". */
  publish(packageDir: string): string;
  stop(): Promise<void>;
}

/** verdaccio's config: own storage, our packages publishable, the rest proxied to upstream. */
export function registryConfig(o: { storage: string; port: number; upstream: string }): string {
  const own = OWN_PACKAGES.flatMap((name) => [`  '${name}':`, '    access: $all', '    publish: $all']);
  return [
    `storage: ${o.storage}`,
    `listen: 127.0.0.1:${o.port}`,
    'uplinks:',
    '  upstream:',
    `    url: ${o.upstream}`,
    '    timeout: 60s',
    'packages:',
    ...own,
    "  '**':",
    '    access: $all',
    '    proxy: upstream',
    'max_body_size: 50mb',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

/** The variables that make npm, npx and npm exec use this registry and nothing of the user's. */
export function npmEnvFor(state: RegistryState): Record<string, string> {
  return {
    npm_config_userconfig: join(state.dir, 'npmrc'),
    npm_config_registry: `${state.url}/`,
    // A private cache: npx would otherwise run a create-nix-fleet of the same version from an earlier run.
    npm_config_cache: join(state.dir, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** npm publish argv: the token goes on the command line, so no npmrc ever holds one. */
export function publishArgv(packageDir: string, state: Pick<RegistryState, 'url' | 'port'>): string[] {
  return ['publish', packageDir, '--registry', `${state.url}/`, `--//127.0.0.1:${state.port}/:_authToken=nix-fleet-local`];
}

/** env without npm_config_* in any case: npm reads them case-insensitively, so no old one may win. */
export function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_config_/i.test(key)));
}

/** The registry npm uses outside this tool: read it, never assume a host. */
export function upstreamRegistry(): string {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_config_registry$/i.test(key)) delete env[key];
  const url = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf-8', env }).trim();
  if (!/^https?:\/\//.test(url)) throw new Error(`npm config get registry gave "${url}", not a URL; set one with npm config set registry URL.`);
  return url;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when pid is still the verdaccio this state started (a PID can be reused). */
export function isOurVerdaccio(state: RegistryState): boolean {
  try {
    // verdaccio rewrites its process title (cmdline), so the marker lives in its environment.
    const environ = readFileSync(`/proc/${state.pid}/environ`, 'utf-8').split('\0');
    return environ.includes(`${DIR_MARKER}=${state.dir}`);
  } catch {
    return false;
  }
}

async function waitUntilUp(state: RegistryState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(state.pid)) throw new Error(`verdaccio exited; its log:\n${readLog(state)}`);
    try {
      if ((await fetch(`${state.url}/-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`verdaccio did not answer on ${state.url} within ${timeoutMs} ms; its log:\n${readLog(state)}`);
}

function readLog(state: RegistryState): string {
  const file = join(state.dir, 'verdaccio.log');
  return existsSync(file) ? readFileSync(file, 'utf-8').slice(-4000) : '(no log)';
}

/** Stops the verdaccio of a state (SIGTERM, then SIGKILL after 5 s) and removes its folder. */
export async function stopRegistry(state: RegistryState): Promise<void> {
  if (isOurVerdaccio(state)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (isOurVerdaccio(state) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isOurVerdaccio(state)) process.kill(state.pid, 'SIGKILL');
    // Until it is reaped it still holds its PID (and its port, for a moment).
    const reaped = Date.now() + 2000;
    while (alive(state.pid) && Date.now() < reaped) await new Promise((r) => setTimeout(r, 50));
  }
  rmSync(state.dir, { recursive: true, force: true });
}

/** Wraps a running registry's state with publish/stop and its npm environment. */
export function attach(state: RegistryState): LocalRegistry {
  const npmEnv = npmEnvFor(state);
  const env = { ...withoutNpmConfig(process.env), ...npmEnv };
  return {
    ...state,
    npmEnv,
    env,
    publish(packageDir) {
      const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf-8'));
      const r = spawnSync('npm', publishArgv(packageDir, state), { env, encoding: 'utf-8' });
      if (r.status !== 0) {
        const conflict = /EPUBLISHCONFLICT|previously published|cannot publish over/i.test(r.stderr) ? ' (that version is already there: stop and start a fresh registry)' : '';
        throw new Error(`npm publish ${packageDir} failed${conflict}:\n${r.stdout}\n${r.stderr}`);
      }
      return `${pkg.name}@${pkg.version}`;
    },
    stop: () => stopRegistry(state),
  };
}

/**
 * Starts verdaccio in a new temp folder. detached: it outlives this process (the CLI's start);
 * otherwise it is killed when this process exits (tests).
 */
export async function startLocalRegistry(opts: { port?: number; detached?: boolean } = {}): Promise<LocalRegistry> {
  const upstream = upstreamRegistry();
  const dir = mkdtempSync(join(tmpdir(), `nix-fleet-registry-${process.pid}-`));
  const port = opts.port ?? (await freePort());
  writeFileSync(join(dir, 'config.yaml'), registryConfig({ storage: join(dir, 'storage'), port, upstream }));
  writeFileSync(join(dir, 'npmrc'), `registry=http://127.0.0.1:${port}/\n`);
  mkdirSync(join(dir, 'npm-cache'));
  const log = openSync(join(dir, 'verdaccio.log'), 'a');
  const child = spawn(process.execPath, [VERDACCIO_BIN, '-c', join(dir, 'config.yaml')], {
    detached: Boolean(opts.detached),
    stdio: ['ignore', log, log],
    env: { ...process.env, [DIR_MARKER]: dir },
  });
  const state: RegistryState = { url: `http://127.0.0.1:${port}`, port, pid: child.pid!, dir };
  if (opts.detached) child.unref();
  else process.once('exit', () => isOurVerdaccio(state) && process.kill(state.pid, 'SIGKILL'));
  try {
    await waitUntilUp(state, 30_000);
  } catch (e) {
    await stopRegistry(state);
    throw e;
  }
  return attach(state);
}

/** Publishes what `npm run build` wrote; fails with the fix when it has not run. */
export function publishBuilt(registry: LocalRegistry, root = REPO_ROOT): string[] {
  return BUILT_PACKAGES.map((dir) => {
    const full = join(root, dir);
    if (!existsSync(join(full, 'package.json'))) throw new Error(`${dir} is missing: run npm run build first.`);
    return registry.publish(full);
  });
}
