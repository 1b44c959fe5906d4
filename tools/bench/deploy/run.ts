// Benchmark: wall time of `nx run-many -t deploy` to N test hosts, --parallel=1 vs --parallel=N.
// Run as root: node -r @swc-node/register tools/bench/deploy/run.ts [--hosts=20] [--activation-seconds=0]
// Builds are done (and cached) before each timed run, so the times are deploys only.
import { performance } from 'node:perf_hooks';
import { deploymentFor, switchScriptConfig, useNetworkSshConfig } from '../../../e2e/support/deploy-fixtures';
import { writeFixtureFleet, type FixtureHost } from '../../../e2e/support/fixture-fleet';
import { startTestHosts, type TestNetwork } from '../../../e2e/support/test-hosts';
import { createWorkspace } from '../../../e2e/support/workspace';

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = hit ? Number(hit.split('=')[1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number (got ${hit})`);
  return value;
}

function fleet(net: TestNetwork, version: string, sleepSeconds: number): FixtureHost[] {
  return net.hosts.map((h) => ({
    name: h.name,
    packages: [{ name: `${h.name}-app`, version, size: 1 << 20 }],
    hostJson: deploymentFor(net, h),
    extraConfig: switchScriptConfig(sleepSeconds ? { sleepSeconds } : {}),
  }));
}

async function main() {
  const count = arg('hosts', 20);
  const sleepSeconds = arg('activation-seconds', 0);
  const net = await startTestHosts(count, { namePrefix: 'bench' });
  useNetworkSshConfig(net);
  const ws = createWorkspace('nix-fleet-bench-deploy-', {}, { builtPlugin: true });
  try {
    const rows: Array<[string, number, number, string]> = [];
    for (const [version, parallel] of [['1.0', 1], ['2.0', count]] as const) {
      writeFixtureFleet(ws.root, fleet(net, version, sleepSeconds));
      ws.commit(`version ${version}`);
      ws.nx(['run-many', '-t', 'build', `--parallel=${count}`]);
      process.stderr.write(`deploying ${count} hosts with --parallel=${parallel} ...\n`);
      const started = performance.now();
      const r = ws.nx(['run-many', '-t', 'deploy', `--parallel=${parallel}`], { allowFailure: true });
      const seconds = (performance.now() - started) / 1000;
      const summary = /Deploy \(\d+ hosts\): ([^\n]+)/.exec(r.stdout)?.[1] ?? `exit ${r.status}`;
      if (r.status !== 0) process.stderr.write(r.stdout.slice(-3000) + r.stderr.slice(-2000));
      rows.push([`--parallel=${parallel}`, seconds, seconds / count, summary]);
    }
    const ratio = rows[0][1] / rows[1][1];
    console.log(`\ndeploy of ${count} test hosts (1 MiB new closure each, activation ${sleepSeconds}s)\n`);
    console.log(['run'.padEnd(14), 'wall'.padStart(8), 'per host'.padStart(9), '  result'].join(' '));
    console.log(['-'.repeat(14), '-'.repeat(8), '-'.repeat(9), '  ' + '-'.repeat(40)].join(' '));
    for (const [name, secs, per, summary] of rows) {
      console.log([name.padEnd(14), `${secs.toFixed(1)}s`.padStart(8), `${per.toFixed(2)}s`.padStart(9), `  ${summary}`].join(' '));
    }
    console.log(`\nspeed-up: ${ratio.toFixed(1)}x (goal: 8x)`);
  } finally {
    await net.teardown();
    ws.remove();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
