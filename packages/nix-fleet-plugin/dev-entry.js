// How this repository (its nx.json and the e2e workspaces) loads @nix-fleet/nx from its TypeScript
// source without a transpiler on every nx command. package.json "main" points here; the published
// package's main is the compiled src/index.js (tools/build-packages.mjs), and this file is not in it.
//
// Each src/**/*.ts file Node loads is transpiled by TypeScript with the build's tsconfig, as tsc
// emits it, once per content: the JavaScript is kept in node_modules/.cache/nix-fleet-plugin under
// a hash of the source, the compiler options files and the TypeScript version. A run whose files
// are all cached reads them and loads no compiler; an edited file is transpiled again on its next
// load, so the code that runs is always the source as it is (no build step, nothing stale).
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { join, sep } = require('node:path');

const SRC = join(__dirname, 'src') + sep;
const REPO = join(__dirname, '..', '..');
const CACHE = join(REPO, 'node_modules', '.cache', 'nix-fleet-plugin');
const TSCONFIGS = [join(__dirname, 'tsconfig.lib.json'), join(__dirname, 'tsconfig.json'), join(REPO, 'tsconfig.base.json')];

let salt;
/** What the emitted JavaScript depends on besides the source: this loader, the tsconfigs, TypeScript. */
function cacheSalt() {
  if (salt === undefined) {
    const hash = createHash('sha256').update(readFileSync(__filename));
    for (const file of TSCONFIGS) hash.update(readFileSync(file));
    hash.update(readFileSync(require.resolve('typescript/package.json', { paths: [REPO] })));
    salt = hash.digest('hex');
  }
  return salt;
}

let compile;
/** TypeScript's per-file emit with the build's compiler options (the build has isolatedModules). */
function compiler() {
  if (!compile) {
    const ts = require(require.resolve('typescript', { paths: [REPO] }));
    const { config } = ts.readConfigFile(TSCONFIGS[0], ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, __dirname);
    compile = (source, fileName) => ts.transpileModule(source, { compilerOptions: options, fileName }).outputText;
  }
  return compile;
}

function javascriptOf(filename) {
  const source = readFileSync(filename, 'utf-8');
  const key = createHash('sha256').update(cacheSalt()).update(filename).update('\0').update(source).digest('hex');
  const cached = join(CACHE, `${key}.js`);
  try {
    return readFileSync(cached, 'utf-8');
  } catch {
    // Not cached yet: transpile, then write beside and rename, so a concurrent reader sees all or nothing.
  }
  const output = compiler()(source, filename);
  try {
    mkdirSync(CACHE, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  } catch {
    // A read-only node_modules only costs the transpile next time.
  }
  return output;
}

const previous = Module._extensions['.ts'];
Module._extensions['.ts'] = function loadTypeScript(module, filename) {
  if (!filename.startsWith(SRC)) return (previous ?? Module._extensions['.js'])(module, filename);
  module._compile(javascriptOf(filename), filename);
};

module.exports = require('./src/index.ts');
