// The eval executor's own paths: bad input fails before any nix runs.
import { executorWorkspace } from '../../../testing/executor-workspace';
import evalExecutor from './executor';

describe('eval executor', () => {
  const { context, errors, hostJson } = executorWorkspace('eval');
  hostJson({ type: 'server', system: 'x86_64-linux' });

  it('fails a bad --host naming the flag', async () => {
    expect(await evalExecutor({ host: 'Web1' }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('--host="Web1" is not a valid host name');
  });

  it('fails a workspace without flake.nix before any nix runs, naming the fix', async () => {
    expect(await evalExecutor({}, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain('No flake.nix: web1 is built from the flake\'s nixosConfigurations.web1. Add the fleet skeleton with "npx nx g @nix-fleet/nx:init --fleet"');
  });

  it('fails a broken host.json with the file, the field and the fix', async () => {
    hostJson('{ "type": "server",');
    expect(await evalExecutor({}, context)).toEqual({ success: false });
    expect(errors.join('\n')).toMatch(/Invalid hosts\/web1\/host.json:\n {2}- not valid JSON/);
  });
});
