// Temp Nx workspaces in real git repos, using this repo's node_modules and plugin source.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
const NX_BIN = join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

export interface Workspace {
  root: string;
  /** Runs the real nx CLI; throws with its output when it fails unless allowFailure. */
  nx(args: string[], opts?: { env?: NodeJS.ProcessEnv; allowFailure?: boolean }): SpawnSyncReturns<string>;
  git(args: string[]): string;
  commit(message: string): void;
  remove(): void;
}

/** Environment for nx in tests: no daemon, no TUI, no cloud, no prompts. */
export function nxEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NX_DAEMON: 'false',
    NX_TUI: 'false',
    NX_NO_CLOUD: 'true',
    NX_SKIP_NX_CACHE: undefined,
    NX_VERBOSE_LOGGING: 'false',
    // CI=true turns colours on in Nx's output; tests read plain text.
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    ...extra,
  };
}

export const BUILT_PLUGIN = join(REPO_ROOT, 'dist', 'packages', 'nix-fleet-plugin');

/**
 * This repo's node_modules, but with @nix-fleet/nx as the built JavaScript package that users
 * install (run `npm run build` first): what benchmarks measure.
 */
export function linkNodeModulesWithBuiltPlugin(root: string): void {
  if (!existsSync(join(BUILT_PLUGIN, 'package.json'))) {
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  const nm = join(root, 'node_modules');
  mkdirSync(join(nm, '@nix-fleet'), { recursive: true });
  for (const entry of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '@nix-fleet' && entry !== '.bin') symlinkSync(join(REPO_ROOT, 'node_modules', entry), join(nm, entry));
  }
  symlinkSync(BUILT_PLUGIN, join(nm, '@nix-fleet', 'nx'));
}

export interface WorkspaceOptions {
  /** Use the built plugin (dist) instead of its TypeScript source. */
  builtPlugin?: boolean;
}

export function createWorkspace(
  prefix = 'nix-fleet-ws-',
  pluginOptions: Record<string, unknown> = {},
  options: WorkspaceOptions = {},
): Workspace {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'fixture-fleet', private: true }, null, 2));
  writeFileSync(
    join(root, 'nx.json'),
    JSON.stringify(
      {
        analytics: false,
        cacheDirectory: '.nx/cache',
        defaultBase: 'main',
        plugins: [{ plugin: '@nix-fleet/nx', options: pluginOptions }],
      },
      null,
      2,
    ),
  );
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\ndist\n');
  // Nx transpiles a plugin's TypeScript source only when the workspace has a root tsconfig, and
  // swc warns in every task when that tsconfig includes no file: include the plugin's source.
  const tsconfig = { extends: join(REPO_ROOT, 'tsconfig.base.json'), include: [join(REPO_ROOT, 'packages/nix-fleet-plugin/src/**/*.ts')] };
  writeFileSync(join(root, 'tsconfig.base.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  if (options.builtPlugin) linkNodeModulesWithBuiltPlugin(root);
  else symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf-8' });
  git(['init', '-q', '-b', 'main']);
  git(['config', 'user.email', 'test@nix-fleet.invalid']);
  git(['config', 'user.name', 'nix-fleet test']);
  return {
    root,
    git,
    nx(args, opts = {}) {
      const result = spawnSync(process.execPath, [NX_BIN, ...args], {
        cwd: root,
        env: nxEnv(opts.env),
        encoding: 'utf-8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.status !== 0 && !opts.allowFailure) {
        throw new Error(`nx ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
      }
      return result;
    },
    commit(message) {
      git(['add', '-A']);
      git(['commit', '-q', '-m', message]);
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
