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

  it.each([0, -1, 1.5, 99999999])('refuses memoryPerHostMiB %p naming the option and its range', async (memoryPerHostMiB) => {
    expect(await evalExecutor({ memoryPerHostMiB }, context)).toEqual({ success: false });
    expect(errors.join('\n')).toContain(`--memoryPerHostMiB is ${memoryPerHostMiB}: expected a whole number of MiB from 64 to 1048576`);
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
