import { normalizeOptions } from './options';

describe('plugin options', () => {
  it('defaults every target name', () => {
    expect(normalizeOptions(undefined)).toMatchObject({ evalTargetName: 'eval', buildTargetName: 'build', closureSizeTargetName: 'closure-size', deployTargetName: 'deploy' });
  });

  it('defaults the flake to the workspace root and adds no inputs; an empty nx.json entry is the same', () => {
    for (const given of [undefined, {}]) {
      expect(normalizeOptions(given)).toMatchObject({ flake: '.', extraInputs: [], excludeInputs: [], allowLocalTargets: false });
    }
    expect(normalizeOptions({ flake: 'nix', excludeInputs: ['e2e/**'] })).toMatchObject({ flake: 'nix', extraInputs: [], excludeInputs: ['e2e/**'] });
  });

  it.each([
    [{ evalTargetName: 'build' }, 'nix-fleet plugin options evalTargetName and buildTargetName are both "build"'],
    [{ evalTargetName: 'rollback' }, 'nix-fleet plugin options evalTargetName and rollbackTargetName are both "rollback"'],
    [{ deployTargetName: 'ship', execTargetName: 'ship' }, 'deployTargetName and execTargetName are both "ship"'],
    [{ buildTargetName: '' }, 'nix-fleet plugin option buildTargetName is "": give it a target name'],
    [{ evalTargetName: 42 as unknown as string }, 'nix-fleet plugin option evalTargetName is 42'],
    // Nx would read a leading "-" as a flag, and a space splits the name on the command line.
    [{ deployTargetName: '-deploy' }, 'nix-fleet plugin option deployTargetName is "-deploy": give it a target name'],
    [{ deployTargetName: 'ship it' }, 'nix-fleet plugin option deployTargetName is "ship it": give it a target name'],
    [{ deployTargetName: 'ship!' }, 'nix-fleet plugin option deployTargetName is "ship!": give it a target name'],
  ])('refuses %j, naming both options', (options, message) => {
    expect(() => normalizeOptions(options)).toThrow(message);
  });

  it('takes allowLocalTargets in either spelling, and only as a boolean', () => {
    expect(normalizeOptions(undefined).allowLocalTargets).toBe(false);
    expect(normalizeOptions({ 'allow-local-targets': true } as never).allowLocalTargets).toBe(true);
    expect(() => normalizeOptions({ allowLocalTargets: 'yes' } as never)).toThrow('nix-fleet plugin option allowLocalTargets is "yes": give true or false in nx.json.');
  });

  it('takes target names with ":", "_" and "." as given', () => {
    expect(normalizeOptions({ deployTargetName: 'nix:deploy_2.0', vmTargetName: '9vm' })).toMatchObject({ deployTargetName: 'nix:deploy_2.0', vmTargetName: '9vm' });
  });

  it('takes kebab-case names as camelCase ones', () => {
    expect(normalizeOptions({ 'deploy-target-name': 'ship', 'extra-inputs': ['x'] } as never)).toMatchObject({ deployTargetName: 'ship', extraInputs: ['x'] });
  });

  it.each([
    [{ deployTargetNmae: 'ship' }, 'Unknown option deployTargetNmae for the nix-fleet plugin in nx.json. Did you mean deployTargetName?'],
    [{ 'exclude-input': ['x'] }, 'Unknown option exclude-input for the nix-fleet plugin in nx.json. Did you mean exclude-inputs?'],
    [{ deployTargetName: 'a', 'deploy-target-name': 'b' }, 'name deployTargetName twice'],
  ])('refuses %j by name', (options, message) => {
    expect(() => normalizeOptions(options as never)).toThrow(message);
  });
});
