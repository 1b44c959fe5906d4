// The build executor's own paths: bad input fails before any nix runs.
import { executorWorkspace } from '../../../testing/executor-workspace';
import buildExecutor from './executor';

describe('build executor', () => {
  const { context, errors, hostJson } = executorWorkspace('build');
  hostJson({ type: 'server', system: 'x86_64-linux' });

  it.each([
    [{ host: 'Web1' }, '--host="Web1" is not a valid host name'],
    [{ progress: false, buildHost: '-oProxyCommand=x' }, '--buildHost is "-oProxyCommand=x"'],
    [{ progress: false, cacheTo: 'file:///c', signingKey: 'missing.sec' }, '--signingKey file missing.sec does not exist'],
  ])('fails %j naming the flag', async (options, message) => {
    expect(await buildExecutor(options, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain(message);
  });

  it('fails a broken host.json with the file, the field and the fix', async () => {
    hostJson('{ "type": "server",');
    expect(await buildExecutor({ progress: false }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toMatch(/Invalid hosts\/web1\/host.json:\n {2}- not valid JSON/);
  });
});
