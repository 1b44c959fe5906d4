// Reads and validates hosts/<name>/host.json against the schema shipped with the plugin.
import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostType } from '../constants';

export interface HealthCheck {
  command?: string;
  url?: string;
  timeout?: number;
}

export interface HostDeployment {
  targetHost?: string;
  targetUser?: string;
  port?: number;
  sshOptions?: string[];
  buildOn?: 'local' | 'remote';
  /** Deploy order (src/graph/waves.ts); 0 when absent. */
  wave?: number;
  tags?: string[];
  healthChecks?: HealthCheck[];
}

export interface HostBudgets {
  maxSize?: number | string;
  maxGrowth?: number | string;
}

export interface HostJson {
  type: HostType;
  system: 'x86_64-linux' | 'aarch64-linux';
  roles?: string[];
  profiles?: string[];
  deployment?: HostDeployment;
  budgets?: HostBudgets;
}

export const HOST_SCHEMA_PATH = join(__dirname, '..', '..', 'host.schema.json');

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(HOST_SCHEMA_PATH, 'utf-8'));
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** What a pattern means, in words: a person reads the rule, not the regex. */
const PATTERN_RULES: Array<[RegExp, string]> = [
  [/^deployment\.targetHost$/, 'a hostname, an IP address or an ssh alias alone, e.g. "10.0.0.11" (a user goes in "deployment.targetUser", a port in "deployment.port")'],
  [/^deployment\.targetUser$/, 'a Unix user name, e.g. "root"'],
  [/^deployment\.tags\.\d+$/, 'a tag of letters, digits and : . _ / -, e.g. "site:home"'],
  [/^deployment\.healthChecks\.\d+\.url$/, 'an http:// or https:// URL'],
  [/^budgets\./, 'a size such as "8 GiB", "500 MB" or a number of bytes'],
  [/^(roles|profiles)\.\d+$/, 'a name of lowercase letters, digits and "-"'],
];

/** Turns one Ajv error into "field: what is wrong, what is allowed". */
export function describeSchemaError(error: ErrorObject, data: unknown): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const got = valueAt(data, error.instancePath);
  switch (error.keyword) {
    case 'required':
      return `"${join2(path, error.params.missingProperty)}" is required`;
    case 'additionalProperties':
      return `"${join2(path, error.params.additionalProperty)}" is not a known field${path ? ` of "${path}"` : ''}`;
    case 'enum':
      return `"${path}" must be one of ${error.params.allowedValues.join(', ')} (got ${JSON.stringify(got)})`;
    case 'pattern': {
      const rule = PATTERN_RULES.find(([field]) => field.test(path))?.[1];
      return `"${path}" must be ${rule ?? `text matching ${error.params.pattern}`} (got ${JSON.stringify(got)})`;
    }
    default:
      return `"${path || '(root)'}" ${error.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  }
}

function join2(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function valueAt(data: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
}

export class HostJsonError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee the host.json reference in docs/reference/host-json.md.`);
    this.name = 'HostJsonError';
  }
}

/** Validates parsed host.json data; `file` is only used in the message. */
export function parseHostJson(text: string, file: string): HostJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new HostJsonError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  // oneOf failures repeat what the branch errors already say.
  const problems = validate(data)
    .filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if')
    .map((e) => describeSchemaError(e, data));
  if (problems.length > 0) {
    throw new HostJsonError(file, [...new Set(problems)]);
  }
  return data as HostJson;
}

export function readHostJson(workspaceRoot: string, file: string): HostJson {
  return parseHostJson(readFileSync(join(workspaceRoot, file), 'utf-8'), file);
}
