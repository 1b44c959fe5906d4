// The fleet workflow's build step, run by the real bash with a recording `npx` on PATH (the only
// stand-in: nx itself is not what this checks, the step's own shell is).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FLEET_WORKFLOW_SOURCE } from './fleet-ci';

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
const steps = (parse(readFileSync(FLEET_WORKFLOW_SOURCE, 'utf-8')) as { jobs: { fleet: { steps: Step[] } } }).jobs.fleet.steps;
const build = steps.find((s) => s.name?.startsWith('Build')) as Step;

describe('fleet workflow: the build step and the binary cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fleet-ci-'));
    writeFileSync(join(dir, 'npx'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${dir}/calls"\n`);
    chmodSync(join(dir, 'npx'), 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const runStep = (env: Record<string, string>) => {
    const r = spawnSync('bash', ['-e', '-c', build.run ?? ''], {
      encoding: 'utf-8',
      env: { PATH: `${dir}:${process.env.PATH}`, RUNNER_TEMP: dir, ...env },
    });
    const calls = (() => {
      try {
        return readFileSync(join(dir, 'calls'), 'utf-8').trim().split('\n');
      } catch {
        return [];
      }
    })();
    return { status: r.status, out: r.stdout + r.stderr, calls };
  };

  it('only a push (never a pull request) gets the cache and its signing key', () => {
    expect(build.env?.NIX_CACHE_URL).toBe("${{ github.event_name == 'push' && vars.NIX_CACHE_URL || '' }}");
    expect(build.env?.NIX_SIGNING_KEY).toBe("${{ github.event_name == 'push' && secrets.NIX_SIGNING_KEY || '' }}");
  });

  it('without a cache it builds the affected hosts and pushes nothing', () => {
    const r = runStep({ NIX_CACHE_URL: '', NIX_SIGNING_KEY: '' });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual(['nx affected -t build']);
  });

  it('with a cache and a key it signs and pushes', () => {
    const r = runStep({ NIX_CACHE_URL: 's3://fleet-cache', NIX_SIGNING_KEY: 'fleet-1:c2VjcmV0' });
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([`nx affected -t build --cacheTo=s3://fleet-cache --signingKey=${dir}/cache-key.sec`]);
    expect(readFileSync(join(dir, 'cache-key.sec'), 'utf-8')).toBe('fleet-1:c2VjcmV0\n');
  });

  it('a cache without its signing key fails before building, naming the secret', () => {
    const r = runStep({ NIX_CACHE_URL: 's3://fleet-cache', NIX_SIGNING_KEY: '' });
    expect(r.status).toBe(1);
    expect(r.out).toContain('NIX_CACHE_URL is set but the secret NIX_SIGNING_KEY is empty');
    expect(r.calls).toEqual([]);
  });
});
