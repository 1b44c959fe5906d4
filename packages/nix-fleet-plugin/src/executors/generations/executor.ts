// @nix-fleet/nx:generations: the system profile's generations of a host, read in one connection.
import type { ExecutorContext } from '@nx/devkit';
import { outputOf } from '../../deploy/target';
import { isLocal } from '../../deploy/local-target';
import type { GenerationsResult } from '../../operations/generations-result';
import { readGenerations } from '../../operations/generations';
import { renderGenerations } from '../../operations/render-generations';
import { DIST_GENERATIONS } from '../../operations/summaries';
import { runHostOperation, type InBatch } from '../host-operation';
import type { GenerationsExecutorSchema } from './schema';

export default async function generationsExecutor(given: GenerationsExecutorSchema, context: ExecutorContext, batch?: InBatch) {
  const { success, result, options } = await runHostOperation<GenerationsResult, GenerationsExecutorSchema>(
    {
      title: 'Generations',
      executor: 'generations',
      dist: DIST_GENERATIONS,
      run: async (plan, t) => {
        const started = Date.now();
        const base = { host: plan.host, profile: plan.profilePath, local: isLocal(plan) };
        try {
          await t.checkHostKeys();
          const gens = await readGenerations(t, plan, (plan.target.connectTimeout + 30) * 1000);
          return { ...base, ...gens, status: 'ok', durationMs: Date.now() - started, finishedAt: Date.now() };
        } catch (e) {
          const message = `could not read the generations of ${plan.profilePath} on ${plan.target.host}: ${outputOf(e)}`;
          return { ...base, running: '', generations: [], status: 'failed', message, durationMs: Date.now() - started, finishedAt: Date.now() };
        }
      },
      refused: (host, message) => ({ host, profile: '', local: false, running: '', generations: [], status: 'failed', message, durationMs: 0, finishedAt: Date.now() }),
      ok: (r) => r.status === 'ok',
    },
    given,
    context,
    batch,
  );
  if (result?.status === 'ok') console.log(options.json ? JSON.stringify(result, null, 2) : renderGenerations(result));
  else if (result) console.error(`\nGenerations of ${result.host} failed: ${result.message}`);
  return { success };
}
