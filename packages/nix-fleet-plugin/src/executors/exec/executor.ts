// @nix-fleet/nx:exec: one shell command on one host; output prefixed with the host's name.
import type { ExecutorContext } from '@nx/devkit';
import { isLocal } from '../../deploy/local-target';
import { execHost, type ExecResult } from '../../operations/exec-host';
import { DIST_EXEC } from '../../operations/summaries';
import { runHostOperation, type InBatch } from '../host-operation';
import type { ExecExecutorSchema } from './schema';

export const EXEC_TIMEOUT = { default: 600, max: 86400 };

/** Checks --command and --timeout before anything reaches the host. */
export function checkExecOptions(options: Partial<ExecExecutorSchema>): { command: string; timeout: number } {
  const { command, timeout = EXEC_TIMEOUT.default } = options;
  if (typeof command !== 'string' || command.trim() === '') {
    throw new Error('No command: pass --command="..." with the shell command to run on the host, e.g. --command="systemctl is-active nginx".');
  }
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > EXEC_TIMEOUT.max) {
    throw new Error(`--timeout=${timeout} is not a number of seconds from more than 0 to ${EXEC_TIMEOUT.max}. Pass e.g. --timeout=${EXEC_TIMEOUT.default}.`);
  }
  return { command, timeout };
}

export function execLine(r: ExecResult): string {
  if (r.status === 'ok') return `${r.host}: exit 0`;
  return `${r.host}: ${r.status}${r.exitCode !== null ? ` (exit ${r.exitCode})` : ''}${r.message ? `: ${r.message}` : ''}`;
}

export default async function execExecutor(given: ExecExecutorSchema, context: ExecutorContext, batch?: InBatch) {
  const { success, result } = await runHostOperation<ExecResult, ExecExecutorSchema>(
    {
      title: 'Exec',
      executor: 'exec',
      dist: DIST_EXEC,
      run: (plan, t, options) => {
        const { command, timeout } = checkExecOptions(options);
        return execHost(plan.host, command, t, { timeoutSeconds: timeout, local: isLocal(plan), out: (l) => console.log(l), err: (l) => console.error(l) });
      },
      refused: (host, message) => ({ host, command: given.command ?? '', status: 'failed', exitCode: null, stdout: '', stderr: '', message, local: false, durationMs: 0, finishedAt: Date.now() }),
      ok: (r) => r.status === 'ok',
    },
    given,
    context,
    batch,
  );
  if (result) (success ? console.log : console.error)(execLine(result));
  return { success };
}
