import { normalizeOptions } from './options';

describe('plugin options', () => {
  it('defaults every target name', () => {
    expect(normalizeOptions(undefined)).toMatchObject({ evalTargetName: 'eval', buildTargetName: 'build', closureSizeTargetName: 'closure-size', deployTargetName: 'deploy' });
  });

  it.each([
    [{ evalTargetName: 'build' }, 'nix-fleet plugin options evalTargetName and buildTargetName are both "build"'],
    [{ evalTargetName: 'rollback' }, 'nix-fleet plugin options evalTargetName and rollbackTargetName are both "rollback"'],
    [{ deployTargetName: 'ship', execTargetName: 'ship' }, 'deployTargetName and execTargetName are both "ship"'],
    [{ buildTargetName: '' }, 'nix-fleet plugin option buildTargetName is "": give it a target name'],
    [{ evalTargetName: 42 as unknown as string }, 'nix-fleet plugin option evalTargetName is 42'],
  ])('refuses %j, naming both options', (options, message) => {
    expect(() => normalizeOptions(options)).toThrow(message);
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
