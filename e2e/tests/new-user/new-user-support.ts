// Helpers for the new-user suite: run a workspace's own nx (installed from the local registry),
// list its .nix files, and make a fixture fleet workspace that npm-installs the published plugin.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nxEnv } from '../../support/workspace';

export type Nx = (args: string[], opts?: { allowFailure?: boolean; env?: NodeJS.ProcessEnv }) => SpawnSyncReturns<string>;

/** The nx CLI that npm installed into root (never this repository's). */
export function nxOf(root: string): Nx {
  const pkg = JSON.parse(readFileSync(join(root, 'node_modules/nx/package.json'), 'utf-8'));
  const bin = join(root, 'node_modules/nx', typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.nx);
  return (args, opts = {}) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd: root,
      env: nxEnv({ NX_USE_LOCAL: 'true', ...opts.env }),
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0 && !opts.allowFailure) throw new Error(`nx ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r;
  };
}

/** Every "resolved" URL in a package-lock.json: where npm fetched each package from. */
export function resolvedUrls(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf-8'));
  return Object.values(lock.packages as Record<string, { resolved?: string; link?: boolean }>)
    .map((p) => p.resolved)
    .filter((r): r is string => typeof r === 'string');
}

export function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf-8' });
}

export function commitAll(root: string, message: string): void {
  git(root, ['add', '-A']);
  git(root, ['commit', '-q', '-m', message]);
}

/**
 * An empty Nx workspace in root that npm-installs nx and @nix-fleet/nx at the given versions
 * from the registry in env, registers the plugin and has one commit.
 */
export function installedWorkspace(root: string, versions: { nx: string; plugin: string }, env: NodeJS.ProcessEnv): void {
  mkdirSync(root, { recursive: true });
  const pkg = { name: 'fixture-fleet', private: true, devDependencies: { nx: versions.nx, '@nix-fleet/nx': versions.plugin } };
  writeFileSync(join(root, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const nxJson = { analytics: false, cacheDirectory: '.nx/cache', defaultBase: 'main', plugins: ['@nix-fleet/nx'] };
  writeFileSync(join(root, 'nx.json'), `${JSON.stringify(nxJson, null, 2)}\n`);
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\ndist\n');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: root, env, encoding: 'utf-8' });
  if (r.status !== 0) throw new Error(`npm install in ${root} failed:\n${r.stdout}\n${r.stderr}`);
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['config', 'user.email', 'new-user@nix-fleet.invalid']);
  git(root, ['config', 'user.name', 'new user']);
  commitAll(root, 'empty workspace');
}

export interface AgeKeyPair {
  identityFile: string;
  recipient: string;
}

/** A new age identity in file, made by Debian's age-keygen; its recipient as age-keygen -y prints it. */
export function ageKeyPair(file: string): AgeKeyPair {
  execFileSync('age-keygen', ['-o', file], { stdio: 'pipe' });
  return { identityFile: file, recipient: execFileSync('age-keygen', ['-y', file], { encoding: 'utf-8' }).trim() };
}

/** Encrypts a line to the pair's recipient with age -r and decrypts it with its identity: the plain text back. */
export function ageRoundTrip(pair: AgeKeyPair, scratch: string): string {
  writeFileSync(scratch, 'db-password: hunter2\n');
  execFileSync('age', ['-r', pair.recipient, '-o', `${scratch}.age`, scratch]);
  return execFileSync('age', ['-d', '-i', pair.identityFile, `${scratch}.age`], { encoding: 'utf-8' });
}
