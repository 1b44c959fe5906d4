// The generations executor: a local host's profile read and printed, and refused input.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import generationsExecutor from './executor';

describe('generations executor', () => {
  const { root, context, out, errors, hostJson } = executorWorkspace('generations', 'ares');
  hostJson({ type: 'laptop', system: 'x86_64-linux', deployment: { targetHost: 'ares.lan' } });

  it('reads a profile on this machine with --local and marks what runs and boots', async () => {
    if (process.getuid?.() !== 0) return; // LocalHost would go through sudo
    const sys = join(root, 'sys');
    mkdirSync(sys);
    mkdirSync(join(root, 'profiles'));
    symlinkSync(sys, join(root, 'profiles', 'system-3-link'));
    symlinkSync('system-3-link', join(root, 'profiles', 'system'));
    symlinkSync(sys, join(root, 'current'));
    const options = { local: true, profilePath: join(root, 'profiles', 'system'), currentSystemPath: join(root, 'current'), stateDir: join(root, 'state') };
    expect(await generationsExecutor(options, context)).toEqual({ success: true });
    expect(out.join('\n')).toMatch(/ares: 1 generation of .*\n.*gen.*date.*running.*boots.*system.*note\n.*\n\s*3 .*yes\s+yes\s+.*\/sys\s+not a NixOS system/);
    expect(JSON.parse(readFileSync(join(root, 'dist/generations/hosts/ares.json'), 'utf-8'))).toMatchObject({ host: 'ares', status: 'ok', current: 3, local: true });
  });

  it('refuses --local with another --targetHost', async () => {
    expect(await generationsExecutor({ local: true, targetHost: 'web1' }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('--local and --targetHost=web1 contradict each other');
  });
});
