// Why a host's deploy or plan never started: its eval or build failed in this run. Nx marks
// such a task "skipped"; the fleet table says where it failed and the error's first line.
import type { PostTasksExecutionContext } from '@nx/devkit';
import { normalizeOptions, type NixFleetPluginOptions } from '../graph/options';
import { readHostResult, writeHostResult } from './host-results';
import { HOSTNAME_PATTERN } from '../constants';

export const DIST_EVAL = 'dist/eval';

export interface StepFailure {
  host: string;
  message: string;
  finishedAt: number;
}

/** Kept by the eval executor when a host fails, for the fleet table after the run. */
export function writeEvalFailure(root: string, host: string, message: string): void {
  if (HOSTNAME_PATTERN.test(host)) writeHostResult<StepFailure>(root, DIST_EVAL, { host, message, finishedAt: Date.now() });
}

/** Nix's "error: ..." line when there is one, else the first line with text. */
export function firstErrorLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => l.startsWith('error:')) ?? lines[0] ?? '').slice(0, 160);
}

/** The step (eval or build) that failed for this host in this run, and its first error line. */
export function upstreamFailure(options: NixFleetPluginOptions | undefined, context: Pick<PostTasksExecutionContext, 'taskResults' | 'workspaceRoot' | 'startTime'>, host: string): { step: string; message: string } | undefined {
  const { evalTargetName, buildTargetName } = normalizeOptions(options);
  for (const [step, target] of [['eval', evalTargetName], ['build', buildTargetName]] as const) {
    const failed = Object.values(context.taskResults).find((r) => r.task.target.project === host && r.task.target.target === target && r.status === 'failure');
    if (!failed) continue;
    const kept = step === 'eval' ? readHostResult<StepFailure>(context.workspaceRoot, DIST_EVAL, host) : undefined;
    const text = kept && kept.finishedAt >= context.startTime ? kept.message : (failed.terminalOutput ?? '').split(/ failed: /).slice(1).join(' failed: ');
    return { step, message: firstErrorLine(text) };
  }
  return undefined;
}
