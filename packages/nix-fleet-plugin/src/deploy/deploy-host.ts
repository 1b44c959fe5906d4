// One host's transactional deploy: lock, copy, activate, confirm, and roll back on any failure
// after activation began. Each step is a function of deploy-steps.ts named for it; this file
// only decides which step comes next, and who releases the lock.
import { randomBytes } from 'node:crypto';
import { releaseLock, type TargetState } from './lock';
import type { DeployPlan } from './options';
import type { DeployResult } from './result';
import { activateStep, confirmStep, copyStep, deployContext, lockStep, rollBackStep, type HostDeploy } from './deploy-steps';
import { DeployStepError } from './step-error';
import { outputOf, SshHost, type Target } from './target';

export function newToken(): string {
  return `d${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/**
 * A rollback on demand: picks, under the lock, an existing generation of the profile. Its
 * system is already on the host (nothing is copied) and the profile switches to it instead
 * of getting a new generation. Throws a DeployStepError to refuse.
 */
export type ChooseGeneration = (state: TargetState) => Promise<{ outPath: string; generation: number }>;

function startDeploy(plan: DeployPlan, outPath: string, log: (line: string) => void, t: Target): HostDeploy & { base: Pick<DeployResult, 'host' | 'mode' | 'outPath' | 'copied'> } {
  const started = Date.now();
  const base = { host: plan.host, mode: plan.mode, outPath, copied: false };
  return { plan, t, log, token: newToken(), base, finish: (r) => ({ ...base, ...r, durationMs: Date.now() - started, finishedAt: Date.now() }) };
}

/** The system to deploy: the given one, or the generation a rollback chose under the lock. */
async function chosenSystem(d: HostDeploy, system: string | ChooseGeneration, state: TargetState): Promise<{ outPath: string; generation: string } | DeployResult> {
  if (typeof system === 'string') return { outPath: system, generation: '' };
  try {
    const chosen = await system(state);
    return { outPath: chosen.outPath, generation: String(chosen.generation) };
  } catch (e) {
    const err = e instanceof DeployStepError ? e : new DeployStepError('generation', outputOf(e));
    return d.finish({ status: 'failed', previous: state.current || undefined, step: err.step, message: err.message });
  }
}

export async function deployHost(plan: DeployPlan, system: string | ChooseGeneration, log: (line: string) => void, t: Target = new SshHost(plan, log)): Promise<DeployResult> {
  const d = startDeploy(plan, typeof system === 'string' ? system : '', log, t);
  const state = await lockStep(d);
  if ('status' in state) return state;
  // The target releases the lock itself once the deploy was confirmed or rolled back.
  let released = false;
  try {
    const chosen = await chosenSystem(d, system, state);
    if ('status' in chosen) return chosen;
    const { outPath, generation } = chosen;
    d.base.outPath = outPath;
    const running = plan.mode === 'boot' ? state.profile : state.current;
    if (running === outPath && !plan.force && !generation) {
      log(`${plan.host}: unchanged (${outPath})`);
      return d.finish({ status: 'unchanged', previous: state.current });
    }
    // A generation's system is already on the host.
    if (!generation) {
      const failed = await copyStep(d, outPath);
      if (failed) return failed;
      d.base.copied = true;
    }
    const ctx = deployContext(plan, d.token, outPath, state, generation);
    let activatedAt: number | undefined;
    try {
      activatedAt = await activateStep(d, ctx);
      const previous = state.current || undefined;
      if (plan.mode === 'dry-activate') return d.finish({ status: 'dry-activated', previous });
      if (plan.mode === 'boot') return d.finish({ status: 'deployed', previous });
      const result = await confirmStep(d, ctx, activatedAt, generation);
      released = true;
      return result;
    } catch (e) {
      const result = await rollBackStep(d, ctx, e, activatedAt);
      released = result.status === 'rolled-back';
      return result;
    }
  } finally {
    if (!released && !t.signal?.aborted) await releaseLock(t, plan, d.token);
  }
}
