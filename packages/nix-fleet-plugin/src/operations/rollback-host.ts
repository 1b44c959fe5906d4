// Rollback on demand: a deploy whose system is an older generation already on the host. It
// runs the deploy sequence unchanged (lock, detached activation, watchdog, confirmation over a
// fresh connection, health checks, and undoing itself on failure); only the profile step
// switches generation instead of adding one (src/deploy/remote/activation.sh).
import { deployHost } from '../deploy/deploy-host';
import type { DeployPlan } from '../deploy/options';
import type { DeployResult } from '../deploy/result';
import { DeployStepError } from '../deploy/step-error';
import { isConnectionFailure, outputOf, SshHost, type Target } from '../deploy/target';
import { chooseGeneration, type GenerationChoice } from './choose-generation';
import { readGenerations } from './generations';

export interface RollbackResult extends DeployResult {
  /** The profile's generation before the rollback. */
  fromGeneration?: number;
  /** The generation it switched to. */
  toGeneration?: number;
}

export async function rollbackHost(plan: DeployPlan, to: number | undefined, log: (line: string) => void, t: Target = new SshHost(plan, log)): Promise<RollbackResult> {
  let choice: GenerationChoice | undefined;
  const result = await deployHost(
    plan,
    async (state) => {
      const gens = await readGenerations(t, plan, (plan.target.connectTimeout + 30) * 1000).catch((e: unknown) => {
        throw new DeployStepError('connect', `could not read the generations of ${plan.profilePath} on ${plan.target.host}: ${outputOf(e)}`, isConnectionFailure(e));
      });
      try {
        choice = chooseGeneration(plan.host, plan.profilePath, gens, to);
      } catch (e) {
        throw new DeployStepError('generation', (e as Error).message);
      }
      log(`${plan.host}: rolling back from generation ${choice.from} (running ${state.current || 'nothing'}) to generation ${choice.generation} (${choice.outPath})`);
      return choice;
    },
    log,
    t,
  );
  return { ...result, fromGeneration: choice?.from, toGeneration: choice?.generation };
}
