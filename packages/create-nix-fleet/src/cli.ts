// create-nix-fleet: a folder, a package.json with nx and @nix-fleet/nx, npm install, then the preset.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCreateArgs, UsageError, USAGE, type CreateOptions } from './args';

interface OwnPackage {
  version: string;
  /** Set by tools/build-packages.mjs: the nx version the plugin is built and tested with. */
  nxVersion?: string;
}

export function ownPackage(): OwnPackage {
  // bin/ and src/ sit side by side both in the source and in the built package.
  return JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf-8')) as OwnPackage;
}

/** The first package.json of the new fleet: enough for npm install; the preset completes it. */
export function initialPackageJson(name: string, own: OwnPackage): Record<string, unknown> {
  if (!own.nxVersion) throw new Error('This create-nix-fleet has no nxVersion in its package.json; use a published build.');
  return {
    name,
    version: '0.0.0',
    private: true,
    devDependencies: { nx: own.nxVersion, '@nix-fleet/nx': own.version },
  };
}

/** The nx CLI script npm installed, from nx's own package.json "bin" (its path moved between versions). */
export function nxBin(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'nx', 'package.json'), 'utf-8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.nx;
  return join(dir, 'node_modules', 'nx', bin);
}

/** The commands create-nix-fleet runs in the new folder, in order (argv arrays, no shell). */
export function plannedCommands(options: CreateOptions): (string[] | ((dir: string) => string[]))[] {
  const preset = (dir: string) => [
    'node',
    nxBin(dir),
    'g',
    '@nix-fleet/nx:preset',
    options.name,
    '--no-interactive',
    ...(options.hosts ? [`--hosts=${options.hosts}`] : []),
  ];
  return [
    ['npm', 'install', '--no-audit', '--no-fund'],
    preset,
    ...(options.git ? [['git', 'init', '-q'], ['git', 'add', '-A']] : []),
  ];
}

function runStep(command: string[], cwd: string): void {
  console.log(`> ${command.join(' ')}`);
  const [cmd, ...args] = command;
  const result = spawnSync(cmd === 'node' ? process.execPath : cmd, args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  if (result.error) throw new Error(`${cmd} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`"${command.join(' ')}" failed with exit code ${result.status}; see its output above.`);
}

export async function main(argv: string[]): Promise<number> {
  let options: CreateOptions;
  try {
    options = parseCreateArgs(argv);
  } catch (e) {
    console.error(e instanceof UsageError ? e.message : String(e));
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const dir = resolve(options.name);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    console.error(`The folder ${dir} exists and is not empty. Pick another name or remove it.`);
    return 2;
  }
  try {
    const pkg = initialPackageJson(options.name, ownPackage());
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    // analytics: false keeps nx from asking a question before the preset has written nx.json.
    writeFileSync(join(dir, 'nx.json'), `${JSON.stringify({ analytics: false }, null, 2)}\n`);
    for (const command of plannedCommands(options)) runStep(typeof command === 'function' ? command(dir) : command, dir);
  } catch (e) {
    console.error(`create-nix-fleet: ${(e as Error).message}`);
    return 1;
  }
  console.log(`\nFleet ${options.name} created in ${dir}.\n  cd ${options.name}\n  npx nx g host <name> --type=laptop|desktop|server|vm\n  npx nx show projects`);
  return 0;
}
