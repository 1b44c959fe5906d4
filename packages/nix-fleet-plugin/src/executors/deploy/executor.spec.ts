// The deploy executor's own paths: what it refuses before anything reaches a host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import deployExecutor, { resultLine } from './executor';

describe('deploy executor', () => {
  const { root, context, errors, hostJson } = executorWorkspace('deploy');

  it('refuses --host=../../x without reading or writing outside the workspace', async () => {
    expect(await deployExecutor({ host: '../../x' }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('--host="../../x" is not a valid host name');
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('fails a host with no targetHost at the plan step and records it', async () => {
    hostJson({ type: 'server', system: 'x86_64-linux' });
    expect(await deployExecutor({}, context)).toEqual({ success: false });
    const result = JSON.parse(readFileSync(join(root, 'dist/deploy/hosts/web1.json'), 'utf-8'));
    expect(result).toMatchObject({ host: 'web1', status: 'failed', step: 'plan', copied: false });
    expect(result.message).toContain('Host "web1" has no deployment.targetHost');
  });

  it('fails a host without a build record before any ssh', async () => {
    hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } });
    expect(await deployExecutor({}, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('No build record for host "web1"');
  });

  it('refuses a host whose targetHost another host.json names too, before any ssh', async () => {
    hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } });
    hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } }, 'web2');
    expect(await deployExecutor({}, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('hosts/web1/host.json and hosts/web2/host.json all deploy to web1.lan: one machine would get another host\'s system. Give each host its own deployment.targetHost.');
  });

  it.each([
    [{ status: 'deployed', mode: 'switch' }, 'web1: deployed /nix/store/x (switch)'],
    [{ status: 'unchanged' }, 'web1: unchanged, already running /nix/store/x; nothing copied (pass --force to redeploy)'],
    [{ status: 'rolled-back', step: 'activation', rolledBackBy: 'watchdog', previous: '/nix/store/old', message: 'm' }, 'Deploy of web1 failed at activation and was rolled back by the watchdog to /nix/store/old:\nm'],
    [{ status: 'failed', step: 'copy', message: 'disk full' }, 'Deploy of web1 failed at copy: disk full'],
  ])('says %j as one line a person reads', (r, line) => {
    expect(resultLine({ host: 'web1', outPath: '/nix/store/x', mode: 'switch', copied: false, durationMs: 1, finishedAt: 1, ...r } as never)).toBe(line);
  });
});
