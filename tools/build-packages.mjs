// npm run build: compiles @nix-fleet/nx and create-nix-fleet into dist/packages/, ready for npm publish.
// The plugin package also carries the fleet template (flake.nix, packages/profiles, docs) listed in
// packages/nix-fleet-plugin/fleet-template.json, copied from this repository so there is one source.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf-8'));
const writeJson = (file, data) => writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
const started = Date.now();
const step = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

/** Every file under dir (relative paths), for copying what tsc does not emit. */
function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path).map((p) => join(entry, p)) : [entry];
  });
}

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}

function buildPlugin() {
  const src = join(root, 'packages', 'nix-fleet-plugin');
  const out = join(root, 'dist', 'packages', 'nix-fleet-plugin');
  rmSync(out, { recursive: true, force: true });
  step('tsc packages/nix-fleet-plugin/tsconfig.lib.json');
  execFileSync(process.execPath, [tsc, '-p', join(src, 'tsconfig.lib.json')], { stdio: 'inherit' });
  // schema.json files and EJS templates under files/: everything in src that tsc does not compile.
  const assets = walk(join(src, 'src')).filter((f) => !f.endsWith('.ts'));
  for (const file of assets) copy(join(src, 'src', file), join(out, 'src', file));
  for (const file of ['generators.json', 'executors.json', 'host.schema.json', 'fleet-template.json', 'README.md']) {
    if (existsSync(join(src, file))) copy(join(src, file), join(out, file));
  }
  const pkg = readJson(join(src, 'package.json'));
  pkg.main = pkg.main.replace(/\.ts$/, '.js');
  pkg.types = pkg.types.replace(/\.ts$/, '.d.ts');
  // The repository's own Nx targets (typecheck) are not part of the package.
  delete pkg.nx;
  writeJson(join(out, 'package.json'), pkg);
  const { files } = readJson(join(src, 'fleet-template.json'));
  const copied = files.filter((file) => existsSync(join(root, file)));
  for (const file of copied) copy(join(root, file), join(out, 'fleet-template', file));
  step(`@nix-fleet/nx ${pkg.version}: ${assets.length} assets, fleet template ${copied.join(', ')} -> ${relative(root, out)}`);
  return pkg;
}

function buildCreateNixFleet(plugin) {
  const src = join(root, 'packages', 'create-nix-fleet');
  const out = join(root, 'dist', 'packages', 'create-nix-fleet');
  rmSync(out, { recursive: true, force: true });
  step('tsc packages/create-nix-fleet/tsconfig.json');
  execFileSync(process.execPath, [tsc, '-p', join(src, 'tsconfig.json')], { stdio: 'inherit' });
  const pkg = readJson(join(src, 'package.json'));
  // The CLI installs the plugin at its own version and the nx this repository builds and tests with.
  if (pkg.version !== plugin.version) {
    throw new Error(`create-nix-fleet ${pkg.version} and @nix-fleet/nx ${plugin.version} differ: release them at one version.`);
  }
  pkg.nxVersion = readJson(join(root, 'package.json')).devDependencies.nx;
  // rootDir is packages/: the CLI sits in create-nix-fleet/ beside the plugin's name checks
  // (nix-fleet-plugin/src/host/names.js), which it runs before npm installs anything.
  pkg.bin = Object.fromEntries(Object.entries(pkg.bin ?? {}).map(([name, file]) => [name, `./create-nix-fleet/${file.replace(/^\.\//, '')}`]));
  writeJson(join(out, 'package.json'), pkg);
  if (existsSync(join(src, 'README.md'))) copy(join(src, 'README.md'), join(out, 'README.md'));
  for (const bin of Object.values(pkg.bin ?? {})) chmodSync(join(out, bin), 0o755);
  step(`create-nix-fleet ${pkg.version} (nx ${pkg.nxVersion}) -> ${relative(root, out)}`);
}

buildCreateNixFleet(buildPlugin());
