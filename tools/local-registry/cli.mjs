#!/usr/bin/env node
// node tools/local-registry/cli.mjs start|publish|env|status|stop
// A local verdaccio for trying the published packages by hand, e.g.:
//   node tools/local-registry/cli.mjs start && node tools/local-registry/cli.mjs publish
//   eval "$(node tools/local-registry/cli.mjs env)" && cd /tmp && npx create-nix-fleet my-fleet
//   node tools/local-registry/cli.mjs stop
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
require('@swc-node/register');
const registry = require('./registry.ts');

const STATE_FILE = process.env.NIX_FLEET_REGISTRY_STATE ?? join(tmpdir(), 'nix-fleet-local-registry.json');
const USAGE = `Usage: node tools/local-registry/cli.mjs <command>
  start [--port=N]   start verdaccio on 127.0.0.1 (state in ${STATE_FILE})
  publish [--no-build]  npm run build, then publish @nix-fleet/nx and create-nix-fleet
  env                print export lines that point npm and npx at the registry
  status             say whether it runs
  stop               stop it and remove its storage`;

function readState() {
  if (!existsSync(STATE_FILE)) return undefined;
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf-8'));
  return registry.isOurVerdaccio(state) ? state : undefined;
}

function requireState() {
  const state = readState();
  if (!state) throw new Error('No local registry is running: start one with node tools/local-registry/cli.mjs start');
  return state;
}

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

async function main([command, ...args]) {
  switch (command) {
    case 'start': {
      const portArg = args.find((a) => a.startsWith('--port='));
      const port = portArg ? Number(portArg.slice('--port='.length)) : undefined;
      if (portArg && !(Number.isInteger(port) && port > 0 && port < 65536)) {
        throw new Error(`--port is "${portArg.slice(7)}": expected a port number 1-65535.`);
      }
      const running = readState();
      if (running) return console.log(`Already running: ${running.url} (pid ${running.pid})`);
      const r = await registry.startLocalRegistry({ port, detached: true });
      writeFileSync(STATE_FILE, JSON.stringify({ url: r.url, port: r.port, pid: r.pid, dir: r.dir }, null, 2) + '\n');
      return console.log(`Local registry ${r.url} (pid ${r.pid}, storage ${r.dir}), proxying to ${registry.upstreamRegistry()}`);
    }
    case 'publish': {
      const r = registry.attach(requireState());
      if (!args.includes('--no-build')) execFileSync('npm', ['run', 'build', '--silent'], { cwd: registry.REPO_ROOT, stdio: 'inherit' });
      for (const published of registry.publishBuilt(r)) console.log(`published ${published} to ${r.url}`);
      return;
    }
    case 'env': {
      const env = registry.npmEnvFor(requireState());
      return console.log(Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n'));
    }
    case 'status': {
      const state = readState();
      console.log(state ? `running: ${state.url} (pid ${state.pid})` : 'not running');
      return;
    }
    case 'stop': {
      const state = readState();
      if (state) await registry.stopRegistry(state);
      rmSync(STATE_FILE, { force: true });
      return console.log(state ? `Stopped ${state.url} (pid ${state.pid}) and removed ${state.dir}` : 'No local registry was running.');
    }
    default:
      console.error(command ? `Unknown command "${command}".\n${USAGE}` : USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`local-registry: ${e.message}`);
  process.exitCode = 1;
});
