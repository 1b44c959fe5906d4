// A temp workspace with one host and an ExecutorContext for it, for executor specs; what the
// executor prints to stderr is collected in `errors`, what it logs in `out`.
import type { ExecutorContext } from '@nx/devkit';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecutorWorkspace {
  root: string;
  context: ExecutorContext;
  errors: string[];
  /** console.log lines of the current test. */
  out: string[];
  /** Writes hosts/<host>/host.json (an object as JSON, a string as it is). */
  hostJson(data: unknown, host?: string): void;
}

export function executorWorkspace(targetName: string, project = 'web1'): ExecutorWorkspace {
  const root = mkdtempSync(join(tmpdir(), `${targetName}-executor-`));
  const errors: string[] = [];
  const out: string[] = [];
  const hostJson = (data: unknown, host = project) => {
    mkdirSync(join(root, 'hosts', host), { recursive: true });
    writeFileSync(join(root, 'hosts', host, 'host.json'), typeof data === 'string' ? data : JSON.stringify(data));
  };
  beforeEach(() => {
    errors.length = out.length = 0;
    jest.spyOn(console, 'error').mockImplementation((m: string) => void errors.push(m));
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());
  const context = { root, projectName: project, targetName, cwd: root, isVerbose: false } as unknown as ExecutorContext;
  return { root, context, errors, out, hostJson };
}
