// An executor spec's workspace: a temp root with one host.json, the ExecutorContext of its
// target, and the console lines the executor printed (captured per test).
import type { ExecutorContext } from '@nx/devkit';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecutorHarness {
  root: string;
  context: ExecutorContext;
  /** console.log lines of the current test. */
  out: string[];
  /** console.error lines of the current test. */
  errors: string[];
}

/** Call inside describe(): registers the hooks that capture and restore the console. */
export function executorHarness(host: string, target: string, hostJson: Record<string, unknown>): ExecutorHarness {
  const root = mkdtempSync(join(tmpdir(), `${target}-executor-`));
  mkdirSync(join(root, 'hosts', host), { recursive: true });
  writeFileSync(join(root, 'hosts', host, 'host.json'), JSON.stringify(hostJson));
  const context = { root, projectName: host, targetName: target, cwd: root, isVerbose: false } as unknown as ExecutorContext;
  const h: ExecutorHarness = { root, context, out: [], errors: [] };
  beforeEach(() => {
    h.out.length = h.errors.length = 0;
    jest.spyOn(console, 'error').mockImplementation((m: string) => void h.errors.push(m));
    jest.spyOn(console, 'log').mockImplementation((m: string) => void h.out.push(m));
  });
  afterEach(() => jest.restoreAllMocks());
  return h;
}
