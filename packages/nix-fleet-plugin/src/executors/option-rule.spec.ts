// Every option of every executor, typed in camelCase and in kebab-case, through Nx 23's own
// command line parser and option merge, reaches the executor under its schema name.
import yargs from 'yargs';
import { kebabCase } from '../host/option-names';
import { executorSchema, normalizeExecutorOptions, type OptionSchema } from './option-rule';
import { parseInvocation, swallowedFlagsFor } from './invocation';

// Nx's own code, as the nx CLI runs it (no handler runs: only the parse).
const { yargsRunCommand } = require('nx/src/command-line/run/command-object');
const { withOverrides } = require('nx/src/command-line/yargs-utils/shared-options');
const { splitArgsIntoNxArgsAndOverrides } = require('nx/src/utils/command-line-utils');
const { combineOptionsForExecutor } = require('nx/src/utils/params');

const EXECUTORS = Object.keys(require('../../executors.json').executors);

/** What `nx run h1:<executor> <args>` hands the executor, after nix-fleet's own rule. */
function optionsReaching(executor: string, args: string[], targetOptions: Record<string, unknown> = {}): Record<string, unknown> {
  const argv = ['run', `h1:${executor}`, ...args];
  const parsed = yargsRunCommand.builder(yargs().command(yargsRunCommand.command, 'run')).parseSync(argv);
  const { overrides } = splitArgsIntoNxArgsAndOverrides(withOverrides(parsed), 'run-one', { printWarnings: false }, {});
  const schema = executorSchema(executor);
  const base = { host: 'h1', ...(executor === 'exec' ? { command: 'true' } : {}), ...targetOptions };
  const combined = combineOptionsForExecutor(overrides, undefined, { options: base }, schema, 'h1', '.');
  return normalizeExecutorOptions(executor, schema, combined, swallowedFlagsFor(parseInvocation(argv), 'h1', executor));
}

/** A value the option accepts that is not its default: [flag text, value the executor gets]. */
function sample(name: string, prop: OptionSchema['properties'][string] & Record<string, any>): [string, unknown] {
  const types = [prop.type].flat();
  if (prop.enum) {
    const v = prop.enum.find((e: unknown) => e !== prop.default);
    return [v, v];
  }
  if (types.includes('boolean')) return prop.default === true ? ['false', false] : ['true', true];
  if (types.includes('integer') || types.includes('number')) {
    const v = Math.max(prop.minimum ?? 1, 7);
    return [String(v), v];
  }
  if (types.includes('array')) return ['-v,x', ['-v', 'x']];
  return name === 'host' ? ['h2', 'h2'] : ['fresh1', 'fresh1'];
}

const cases = EXECUTORS.flatMap((executor) =>
  Object.entries(executorSchema(executor).properties).flatMap(([name, prop]) => {
    const [text, value] = sample(name, prop as any);
    return [name, kebabCase(name)].map((spelling) => [executor, spelling, name, text, value] as const);
  }),
);

describe('both spellings of every executor option reach the executor', () => {
  it('covers every executor and both spellings of the ones with two words', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(EXECUTORS));
    expect(cases.some(([e, spelling]) => e === 'deploy' && spelling === 'target-host')).toBe(true);
    expect(cases.some(([e, spelling]) => e === 'exec' && spelling === 'target-user')).toBe(true);
  });

  it.each(cases)('%s --%s', (executor, spelling, name, text, value) => {
    expect(optionsReaching(executor, [`--${spelling}=${text}`])[name]).toEqual(value);
  });

  it('also as two words on the command line (--target-host fresh1)', () => {
    expect(optionsReaching('deploy', ['--target-host', 'fresh1', '--mode', 'plan'])).toMatchObject({ targetHost: 'fresh1', mode: 'plan' });
  });

  it('takes kebab-case target options (project.json, targetDefaults), with the command line above them', () => {
    expect(optionsReaching('deploy', [], { 'target-host': 'a', 'connect-timeout': 5 })).toMatchObject({ targetHost: 'a', connectTimeout: 5 });
    expect(optionsReaching('deploy', ['--target-host=b'], { 'target-host': 'a' })).toMatchObject({ targetHost: 'b' });
    expect(optionsReaching('deploy', ['--targetHost=b'], { targetHost: 'a' })).toMatchObject({ targetHost: 'b' });
  });
});

describe('every executor applies the rule', () => {
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  const entries: Record<string, { implementation: string; schema: string }> = require('../../executors.json').executors;
  it.each(Object.entries(entries))('%s checks its options at its entry and lets Nx pass unknown ones to it', (_name, entry) => {
    const source = readFileSync(join(__dirname, '..', '..', `${entry.implementation}.ts`), 'utf-8');
    expect(source).toMatch(/checkedOptions\(|runHostOperation</);
    expect(JSON.parse(readFileSync(join(__dirname, '..', '..', entry.schema), 'utf-8')).additionalProperties).toBeUndefined();
  });
});

describe('an unknown option is refused by name with the closest known one', () => {
  it.each([
    ['deploy', '--target-hots=fresh1', 'Unknown option --target-hots for deploy. Did you mean --target-host?'],
    ['deploy', '--targetHots=fresh1', 'Unknown option --targetHots for deploy. Did you mean --targetHost?'],
    ['exec', '--target-usr=bob', 'Unknown option --target-usr for exec. Did you mean --target-user?'],
    ['deploy', '--conect-timeout=5', 'Unknown option --conect-timeout for deploy. Did you mean --connect-timeout?'],
    ['build', '--target-host=x', 'Unknown option --target-host for build.'],
    ['rollback', '--force', 'Unknown option --force for rollback.'],
  ])('%s %s', (executor, flag, message) => {
    expect(() => optionsReaching(executor, [flag])).toThrow(message);
  });

  it('lists the known options when nothing is close', () => {
    expect(() => optionsReaching('eval', ['--zzzzzzzzzz=1'])).toThrow('Unknown option --zzzzzzzzzz for eval. Known options: --host, --flake, --memory-per-host-mi-b.');
  });

  it('refuses a positional argument and two values for one option', () => {
    expect(() => optionsReaching('generations', ['extra'])).toThrow('generations takes no positional arguments');
    expect(() => normalizeExecutorOptions('deploy', executorSchema('deploy'), { 'target-host': 'a', targetHost: 'b' })).toThrow('--target-host and --targetHost name one option of deploy');
  });
});

describe('parseInvocation: which flags Nx kept and which tasks they are for', () => {
  it.each([
    [['run', 'ares:deploy', '--target-host=x'], { targets: ['deploy'], project: 'ares', swallowed: [{ key: 'target-host', value: 'x' }] }],
    [['deploy', 'ares', '--target-user', 'bob', '--verbose'], { targets: ['deploy'], project: 'ares', swallowed: [{ key: 'target-user', value: 'bob' }] }],
    [['run-many', '-t', 'build', 'deploy', '--parallel=3', '--projects=a,b', '--target-host=x'], { targets: ['build', 'deploy'], swallowed: [{ key: 'target-host', value: 'x' }] }],
    [['affected', '--targets=deploy', '--output-style=static', '--skip-nx-cache'], { targets: ['deploy'], swallowed: [] }],
    [['run', 'ares:deploy', '--', '--target-host=x'], { targets: ['deploy'], project: 'ares', swallowed: [] }],
  ])('%j', (argv, expected) => {
    expect(parseInvocation(argv)).toEqual(expected);
  });

  it('gives the flags only to the tasks the command line asked for', () => {
    const inv = parseInvocation(['run', 'ares:deploy', '--target-host=x']);
    expect(swallowedFlagsFor(inv, 'ares', 'deploy')).toHaveLength(1);
    expect(swallowedFlagsFor(inv, 'ares', 'build')).toEqual([]);
    expect(swallowedFlagsFor(inv, 'web', 'deploy')).toEqual([]);
    expect(swallowedFlagsFor(undefined, 'ares', 'deploy')).toEqual([]);
  });
});
