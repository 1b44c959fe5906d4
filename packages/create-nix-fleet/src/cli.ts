// create-nix-fleet: a folder, a package.json with nx and @nix-fleet/nx, npm install, the preset,
// then a git repository on main with a first commit. Any failure removes what it made.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCreateArgs, UsageError, USAGE, type CreateOptions } from './args';

interface OwnPackage {
  name?: string;
  version: string;
  /** Set by tools/build-packages.mjs: the nx version the plugin is built and tested with. */
  nxVersion?: string;
}

/** The branch a new fleet is on; its nx.json names it as defaultBase. */
export const BRANCH = 'main';

/** This package's package.json: the nearest one named create-nix-fleet above this file (source or built layout). */
export function ownPackage(from = __dirname): OwnPackage {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf-8')) as OwnPackage;
    if (pkg.name === 'create-nix-fleet') return pkg;
  }
  throw new Error(`No package.json of create-nix-fleet above ${from}.`);
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
    ...(options.adminAgeKey ? [`--admin-age-key=${options.adminAgeKey}`] : []),
  ];
  const git = [
    ['git', 'init', '-q', '-b', BRANCH],
    ['git', 'add', '-A'],
    ['git', 'commit', '-q', '-m', `New fleet ${options.name} (npx create-nix-fleet)`],
  ];
  return [['npm', 'install', '--no-audit', '--no-fund'], preset, ...(options.git ? git : [])];
}

/** What the user does next; printed when the fleet is made. */
export function nextSteps(options: CreateOptions): string {
  const machines = options.hostList.filter((h) => h.type !== 'vm').map((h) => h.name);
  const hardware =
    machines.length > 0
      ? `On each machine (${machines.join(', ')}), replace the placeholder hardware file:\n` +
        '       nixos-generate-config --show-hardware-config > hosts/<name>/hardware-configuration.nix'
      : 'Add a machine: npx nx g host <name> --type=laptop|desktop|server|vm, then on it:\n' +
        '       nixos-generate-config --show-hardware-config > hosts/<name>/hardware-configuration.nix';
  const commit = options.git ? 'git add -A && git commit -m "Lock nixpkgs; hardware"' : 'git init -b main && git add -A && git commit -m "First commit"';
  return [
    `Next steps:`,
    `  1. cd ${options.name}`,
    `  2. ${hardware}`,
    '  3. nix flake lock          (pins nixpkgs; needs the network once, then builds are reproducible)',
    `  4. ${commit}   (a flake sees only files git tracks)`,
    '  5. npx nx run-many -t build    then    npx nx run <host>:deploy --mode=dry-activate',
  ].join('\n');
}

/** Fails before anything is made when git cannot commit (no git, or no user.name/user.email). */
export function checkGit(options: CreateOptions): string | undefined {
  if (!options.git) return undefined;
  const r = spawnSync('git', ['var', 'GIT_AUTHOR_IDENT'], { encoding: 'utf-8' });
  if (r.error) return 'git is not installed: install it, or pass --no-git to make the fleet without a repository.';
  if (r.status !== 0) {
    return (
      'git cannot make the first commit: it has no user.name and user.email. Set them with ' +
      'git config --global user.name "Your Name" && git config --global user.email you@example.com, or pass --no-git.'
    );
  }
  return undefined;
}

let current: ReturnType<typeof spawn> | undefined;
let interrupted: NodeJS.Signals | undefined;

function onSignal(signal: NodeJS.Signals): void {
  interrupted = signal;
  current?.kill(signal);
}

function runStep(command: string[], cwd: string): Promise<void> {
  console.log(`> ${command.join(' ')}`);
  const [cmd, ...args] = command;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd === 'node' ? process.execPath : cmd, args, {
      cwd,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    current = child;
    child.on('error', (e) => reject(new Error(`${cmd} could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      current = undefined;
      if (interrupted) reject(new Error(`stopped by ${interrupted}`));
      else if (code !== 0) reject(new Error(`"${command.join(' ')}" failed with ${signal ? `signal ${signal}` : `exit code ${code}`}; see its output above.`));
      else resolvePromise();
    });
  });
}

/** Removes what this run made: the folder if it created it, else the folder's content. */
function cleanUp(dir: string, created: boolean): void {
  if (created) rmSync(dir, { recursive: true, force: true });
  else if (existsSync(dir)) for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
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
  let pkg: Record<string, unknown>;
  try {
    pkg = initialPackageJson(options.name, ownPackage());
  } catch (e) {
    console.error(`create-nix-fleet: ${(e as Error).message}`);
    return 2;
  }
  const gitProblem = checkGit(options);
  if (gitProblem) {
    console.error(`create-nix-fleet: ${gitProblem}`);
    return 2;
  }

  const created = !existsSync(dir);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    // analytics: false keeps nx from asking a question before the preset has written nx.json.
    writeFileSync(join(dir, 'nx.json'), `${JSON.stringify({ analytics: false }, null, 2)}\n`);
    for (const command of plannedCommands(options)) await runStep(typeof command === 'function' ? command(dir) : command, dir);
  } catch (e) {
    cleanUp(dir, created);
    const undone = `${created ? 'Removed' : 'Emptied'} ${dir}`;
    const next = interrupted ? '' : '; fix the cause and run it again';
    console.error(`create-nix-fleet: ${(e as Error).message.replace(/\.$/, '')}. ${undone}${next}.`);
    return interrupted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const where = options.git ? `, committed on branch ${BRANCH}` : '';
  console.log(`\nFleet ${options.name} created in ${dir}${where}.\n\n${nextSteps(options)}`);
  return 0;
}
