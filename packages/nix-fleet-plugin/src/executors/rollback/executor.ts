// @nix-fleet/nx:rollback: switch a host back to an older generation of its system profile, with
// a deploy's lock, detached activation, watchdog, confirmation and health checks.
import type { ExecutorContext } from '@nx/devkit';
import { runHostOperation, type InBatch } from '../host-operation';
import { rollbackHost, type RollbackResult } from '../../operations/rollback-host';
import { DIST_ROLLBACK, rollbackStatus } from '../../operations/summaries';
import type { RollbackExecutorSchema } from './schema';

export const ROLLBACK_MODES = ['switch', 'boot'];

/** Checks --to and --mode before anything reaches the host. */
export function checkRollbackOptions(options: RollbackExecutorSchema): void {
  if (options.to !== undefined && !(Number.isInteger(options.to) && options.to > 0)) {
    throw new Error(`--to=${options.to} is not a generation number. Pass a whole number from nx run <host>:generations, e.g. --to=41.`);
  }
  if (options.mode !== undefined && !ROLLBACK_MODES.includes(options.mode)) {
    throw new Error(`--mode=${options.mode} is not a rollback mode. Use switch (now) or boot (at next boot).`);
  }
}

export function rollbackLine(r: RollbackResult): string {
  const to = `generation ${r.toGeneration} (${r.outPath})`;
  switch (rollbackStatus(r)) {
    case 'switched':
      return `${r.host}: rolled back from generation ${r.fromGeneration} (${r.previous ?? 'no running system'}) to ${to}${r.mode === 'boot' ? ', active at next boot' : ''}`;
    case 'undone':
      return `Rollback of ${r.host} to ${to} failed at ${r.step}; the host went back to what it ran before:\n${r.message}`;
    case 'refused':
      return `Rollback of ${r.host} refused: ${r.message}`;
    default:
      return `Rollback of ${r.host} failed at ${r.step}: ${r.message}`;
  }
}

export default async function rollbackExecutor(given: RollbackExecutorSchema, context: ExecutorContext, batch?: InBatch) {
  const { success, result } = await runHostOperation<RollbackResult, RollbackExecutorSchema>(
    {
      title: 'Rollback',
      executor: 'rollback',
      dist: DIST_ROLLBACK,
      run: (plan, t, options) => {
        checkRollbackOptions(options);
        return rollbackHost(plan, options.to, (line) => console.log(line), t);
      },
      refused: (host, message) => ({ host, status: 'failed', mode: given.mode ?? 'switch', outPath: '', copied: false, step: 'preflight', message, durationMs: 0, finishedAt: Date.now() }),
      ok: (r) => r.status === 'deployed',
    },
    given,
    context,
    batch,
  );
  if (result) (success ? console.log : console.error)(`\n${rollbackLine(result)}`);
  return { success };
}
