// One rule for every executor's options: each option works as typed in camelCase or kebab-case,
// and an option the executor does not know is refused by name, with the closest known one,
// before anything runs.
//
// What Nx 23 hands an executor: a CLI flag in kebab-case is camelCased only when the schema has
// that property; target options from project.json, targetDefaults or a configuration arrive as
// written; an unknown flag arrives as typed (the schemas allow extra properties so that it does,
// instead of Nx refusing it with its own message); and flags whose first word is an Nx option
// never arrive (invocation.ts reads those back).
import type { ExecutorContext } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { knownName, unknownOptionMessage } from '../host/option-names';
import { nxCommandLine, parseInvocation, swallowedFlagsFor, type Invocation } from './invocation';

interface PropertySchema {
  type?: string | string[];
  default?: unknown;
  items?: { type?: string };
}
export interface OptionSchema {
  properties: Record<string, PropertySchema>;
}

/** Read once per process: a batch checks every host's options against the same file. */
const schemas = new Map<string, OptionSchema>();

export function executorSchema(executor: string): OptionSchema {
  if (!schemas.has(executor)) schemas.set(executor, JSON.parse(readFileSync(join(__dirname, executor, 'schema.json'), 'utf-8')));
  return structuredClone(schemas.get(executor) as OptionSchema);
}

/** A flag's text as the schema's type, as Nx would have read it. */
function coerce(prop: PropertySchema, value: string | true): unknown {
  const types = [prop.type ?? 'string'].flat();
  if (value === true) return types.includes('boolean') ? true : value;
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if ((types.includes('number') || types.includes('integer')) && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (types.includes('array')) return value.split(',');
  return value;
}

/**
 * The executor's options with every key in the schema's camelCase spelling. Throws, naming the
 * option, for an unknown one, for a positional argument and for two spellings of one option
 * with different values from the same place.
 */
export function normalizeExecutorOptions<T>(
  executor: string,
  schema: OptionSchema,
  options: Record<string, unknown>,
  swallowed: Invocation['swallowed'] = [],
  typed: Record<string, unknown> = {},
): T {
  const known = Object.keys(schema.properties);
  const out: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key.startsWith('__') || value === undefined) continue;
    if (key === '_') {
      if (Array.isArray(value) && value.length === 0) continue;
      throw new Error(`${executor} takes no positional arguments, but got ${JSON.stringify(value)}. Pass options as --name=value.`);
    }
    const name = knownName(key, known);
    if (!name) throw new Error(unknownOptionMessage(key, known, executor));
    if (name in out && JSON.stringify(out[name]) !== JSON.stringify(value)) {
      // Nx fills in the schema's default under the camelCase name after target options given
      // in kebab-case: the default gives way; two values both given are a conflict.
      // A value typed on the command line is above the target's configuration (nx.json
      // targetDefaults in kebab-case, project.json), as Nx puts its overrides above them.
      const isDefault = (k: string, v: unknown) => k === name && JSON.stringify(v) === JSON.stringify(schema.properties[name].default);
      const isTyped = (k: string, v: unknown) => k in typed && JSON.stringify(typed[k]) === JSON.stringify(v);
      const [typedBefore, typedNow] = [isTyped(from[name], out[name]), isTyped(key, value)];
      if (typedBefore && !typedNow) continue;
      if (typedNow && !typedBefore) {
        out[name] = value;
        from[name] = key;
        continue;
      }
      if (isDefault(key, value)) continue;
      if (!isDefault(from[name], out[name])) throw new Error(`--${from[name]} and --${key} name one option of ${executor} with two values (${JSON.stringify(out[name])}, ${JSON.stringify(value)}). Give it once.`);
    }
    out[name] = value;
    from[name] = key;
  }
  // Typed on the command line, so above anything from the target's configuration; but one
  // option typed twice with two values (in either spelling) is a conflict, never a silent pick.
  const onCommandLine: Record<string, { key: string; value: unknown }> = {};
  for (const [key, value] of Object.entries(typed)) {
    const name = knownName(key, known);
    if (name) onCommandLine[name] = { key, value };
  }
  for (const { key, value } of swallowed) {
    const name = knownName(key, known);
    if (!name) throw new Error(unknownOptionMessage(key, known, executor));
    const given = coerce(schema.properties[name], value);
    // `--target-host` at the end of the line, or before another flag: no value was typed.
    if (given === true && ![schema.properties[name].type ?? 'string'].flat().includes('boolean')) {
      throw new Error(`--${key} of ${executor} needs a value: --${key}=<value>.`);
    }
    const before = onCommandLine[name];
    if (before && JSON.stringify(before.value) !== JSON.stringify(given)) {
      throw new Error(`--${before.key} and --${key} name one option of ${executor} with two values (${JSON.stringify(before.value)}, ${JSON.stringify(given)}). Give it once.`);
    }
    onCommandLine[name] = { key, value: given };
    out[name] = given;
  }
  return out as T;
}

/** Reads the flags Nx kept from this task back from the nx command line that started it. */
export function swallowedFlags(context: Pick<ExecutorContext, 'projectName' | 'targetName'>, argv = nxCommandLine()): Invocation['swallowed'] {
  return swallowedFlagsFor(argv ? parseInvocation(argv) : undefined, context.projectName, context.targetName);
}

/** The executor entry's check: throws before anything runs. */
export function checkedOptions<T>(executor: string, options: T, context: Pick<ExecutorContext, 'projectName' | 'targetName'> & Partial<Pick<ExecutorContext, 'taskGraph'>>): T {
  // The task's overrides are what the command line gave in the spellings Nx passes on.
  const task = Object.values(context.taskGraph?.tasks ?? {}).find((t) => t.target.project === context.projectName && t.target.target === context.targetName);
  return normalizeExecutorOptions<T>(executor, executorSchema(executor), options as Record<string, unknown>, swallowedFlags(context), task?.overrides ?? {});
}
