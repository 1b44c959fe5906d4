import { allowsLocalTargets, checkLocalAllowed } from './machine-check';
import type { Machine } from '../host/shared-targets';

const here: Machine = { name: 'localhost', port: 22, addresses: ['127.0.0.1', '::1'], local: true };
const there: Machine = { name: '10.0.0.5', port: 22, addresses: ['10.0.0.5'], local: false };
const plan = (host: string, port?: number) => ({ target: { host, port, sshOptions: [], connectTimeout: 10 } });

describe('local targets only when asked', () => {
  it.each(['localhost', 'LOCALHOST', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1', '[::1]'])('refuses %j without --local or the opt-in, naming both fixes', (address) => {
    expect.assertions(3);
    try {
      checkLocalAllowed('ares', plan(address), here, false, false);
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toContain(`Host "ares" deploys to ${address}, which is this machine`);
      expect(message).toContain('Pass --local to mean it (nx run ares:deploy --local)');
      expect(message).toContain('"allowLocalTargets": true in the options of the @nix-fleet/nx plugin in nx.json');
    }
  });

  it('lets --local, the opt-in, a tunnel port and another machine through', () => {
    expect(() => checkLocalAllowed('ares', plan('localhost'), here, true, false)).not.toThrow();
    expect(() => checkLocalAllowed('ares', plan('localhost'), here, false, true)).not.toThrow();
    expect(() => checkLocalAllowed('ares', plan('localhost', 2222), here, false, false)).not.toThrow();
    expect(() => checkLocalAllowed('ares', plan('localhost', 22), here, false, false)).toThrow('which is this machine');
    expect(() => checkLocalAllowed('web1', plan('web1.lan'), there, false, false)).not.toThrow();
  });

  it('reads the opt-in from the plugin entry of nx.json, by npm name or local path, and only when true', () => {
    const nx = (plugins: unknown[]) => ({ nxJsonConfiguration: { plugins } }) as never;
    expect(allowsLocalTargets(nx([{ plugin: '@nix-fleet/nx', options: { allowLocalTargets: true } }]))).toBe(true);
    expect(allowsLocalTargets(nx([{ plugin: './packages/nix-fleet-plugin', options: { allowLocalTargets: true } }]))).toBe(true);
    expect(allowsLocalTargets(nx([{ plugin: './packages/nix-fleet-plugin/', options: { allowLocalTargets: true } }]))).toBe(true);
    expect(allowsLocalTargets(nx([{ plugin: '@nix-fleet/nx', options: { 'allow-local-targets': true } }]))).toBe(true);
    // Not true is not false either: the graph refuses it, and so does the check.
    expect(() => allowsLocalTargets(nx([{ plugin: '@nix-fleet/nx', options: { allowLocalTargets: 'yes' } }]))).toThrow('allowLocalTargets is "yes"');
    expect(allowsLocalTargets(nx([{ plugin: 'other-plugin', options: { allowLocalTargets: true } }]))).toBe(false);
    expect(allowsLocalTargets(nx(['@nix-fleet/nx']))).toBe(false);
    expect(allowsLocalTargets({} as never)).toBe(false);
  });
});
