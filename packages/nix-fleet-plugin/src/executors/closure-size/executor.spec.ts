// The closure-size executor's own paths: bad input fails before any nix runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorWorkspace } from '../../../testing/executor-workspace';
import closureSizeExecutor from './executor';

describe('closure-size executor', () => {
  const { root, context, errors, hostJson } = executorWorkspace('closure-size');
  hostJson({ type: 'server', system: 'x86_64-linux' });

  it.each([
    [{ host: '../etc' }, '--host="../etc" is not a valid host name'],
    [{ top: 0 }, '--top is 0: expected a whole number of at least 1.'],
    [{}, 'No build record for host "web1"'],
  ])('fails %j naming the problem', async (options, message) => {
    expect(await closureSizeExecutor(options, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain(message);
  });

  it('refuses a build.json of another host before measuring', async () => {
    mkdirSync(join(root, 'dist', 'hosts', 'web1'), { recursive: true });
    writeFileSync(
      join(root, 'dist', 'hosts', 'web1', 'build.json'),
      JSON.stringify({ host: 'db1', system: 'x86_64-linux', drvPath: '/nix/store/b89fn0x1c41p4jd1qvzf3lhs98ydmplf-nixos-system-db1.drv', outPath: '/nix/store/gwxlv4905z6b77356xgi21z5k9pga7hk-nixos-system-db1', nixVersion: '2.8.0' }),
    );
    expect(await closureSizeExecutor({}, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('dist/hosts/web1/build.json is not a record of host "web1" (host "db1"');
  });
});
