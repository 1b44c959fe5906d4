// The rollback executor's own paths: what it refuses before anything reaches a host.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import rollbackExecutor, { checkRollbackOptions, rollbackLine } from './executor';

describe('rollback executor', () => {
  const { root, context, errors, hostJson } = executorWorkspace('rollback', 'web1');
  hostJson({ type: 'server', system: 'x86_64-linux', deployment: { targetHost: 'web1.lan' } });

  it.each([
    [{ to: 0 }, '--to=0 is not a generation number'],
    [{ to: 1.5 }, '--to=1.5 is not a generation number'],
    [{ mode: 'test' as never }, '--mode=test is not a rollback mode. Use switch (now) or boot (at next boot).'],
  ])('refuses %j', (options, message) => expect(() => checkRollbackOptions(options)).toThrow(message));

  it('refuses bad options before any ssh and records the host as failed', async () => {
    expect(await rollbackExecutor({ to: -1 }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('Rollback of web1 failed: --to=-1 is not a generation number');
    expect(JSON.parse(readFileSync(join(root, 'dist/rollback/hosts/web1.json'), 'utf-8'))).toMatchObject({ host: 'web1', status: 'failed', step: 'preflight' });
  });

  it.each([
    [{ status: 'deployed', fromGeneration: 2, toGeneration: 1, previous: '/nix/store/b' }, 'web1: rolled back from generation 2 (/nix/store/b) to generation 1 (/nix/store/a)'],
    [{ status: 'failed', step: 'generation', message: 'web1 is on generation 1 ...' }, 'Rollback of web1 refused: web1 is on generation 1 ...'],
    [{ status: 'rolled-back', step: 'activation', toGeneration: 1, message: 'm' }, 'Rollback of web1 to generation 1 (/nix/store/a) failed at activation; the host went back to what it ran before:\nm'],
  ])('says %j as a line a person reads', (r, line) => {
    expect(rollbackLine({ host: 'web1', outPath: '/nix/store/a', mode: 'switch', copied: false, durationMs: 1, finishedAt: 1, ...r } as never)).toBe(line);
  });
});
