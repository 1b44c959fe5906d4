// One host's transactional deploy: lock, compare, copy, activate, confirm, check, commit,
// and roll back on any failure after activation began.
import { randomBytes } from 'node:crypto';
import { activate } from './activation';
import { commit, freshConnection } from './confirm';
import { runHealthChecks } from './health';
import { abortReason } from '../process/command-error';
import { acquireLock, lockOwner, releaseLock, type TargetState } from './lock';
import { checkPrivilege } from './privilege-check';
import { watchdogWindow, type DeployPlan } from './options';
import type { DeployContext } from './remote-scripts';
import type { DeployResult } from './result';
import { rollBack, rollbackOutcome } from './rollback';
import { DeployStepError } from './step-error';
import { stoppedMessage } from './stopped';
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

export async function deployHost(
  plan: DeployPlan,
  system: string | ChooseGeneration,
  log: (line: string) => void,
  t: Target = new SshHost(plan, log),
): Promise<DeployResult> {
  const started = Date.now();
  const token = newToken();
  const base = { host: plan.host, mode: plan.mode, outPath: typeof system === 'string' ? system : '', copied: false };
  const finish = (r: Partial<DeployResult> & Pick<DeployResult, 'status'>): DeployResult => ({
    ...base,
    ...r,
    durationMs: Date.now() - started,
    finishedAt: Date.now(),
  });

  // Stopped from outside (SIGINT, SIGTERM, nx gone): report, and contact the host no more.
  const stopped = (ctx?: DeployContext, rollingBackAfter?: string) => {
    const why = abortReason(t.signal!);
    return finish({ status: 'failed', previous: state?.current || undefined, step: 'interrupted', message: stoppedMessage(plan, why, ctx, rollingBackAfter) });
  };
  let state: TargetState | undefined;
  try {
    await t.checkHostKeys().catch((e: unknown) => {
      throw new DeployStepError('connect', outputOf(e));
    });
    await checkPrivilege(t, plan);
    log(`${plan.host}: locking ${plan.target.host}`);
    state = await acquireLock(t, plan, lockOwner(token), log);
  } catch (e) {
    if (t.signal?.aborted) return stopped();
    const err = e instanceof DeployStepError ? e : new DeployStepError('connect', outputOf(e));
    return finish({ status: 'failed', step: err.step, message: err.message });
  }
  let locked = true;
  try {
    let generation = '';
    if (typeof system !== 'string') {
      try {
        const chosen = await system(state);
        [base.outPath, generation] = [chosen.outPath, String(chosen.generation)];
      } catch (e) {
        const err = e instanceof DeployStepError ? e : new DeployStepError('generation', outputOf(e));
        return finish({ status: 'failed', previous: state.current || undefined, step: err.step, message: err.message });
      }
    }
    const outPath = base.outPath;
    const running = plan.mode === 'boot' ? state.profile : state.current;
    if (running === outPath && !plan.force && !generation) {
      log(`${plan.host}: unchanged (${outPath})`);
      return finish({ status: 'unchanged', previous: state.current });
    }
    const previous = state.current || undefined;

    // A generation's system is already on the host.
    if (!generation) {
      log(`${plan.host}: copying ${outPath}`);
      try {
        await t.copy(outPath);
      } catch (e) {
        if (t.signal?.aborted) return stopped();
        return finish({ status: 'failed', previous, step: 'copy', message: `nix copy to ${plan.target.host} failed: ${outputOf(e)}` });
      }
      base.copied = true;
    }

    const window = watchdogWindow(plan);
    const ctx: DeployContext = {
      profile: plan.profilePath,
      outPath,
      mode: plan.mode,
      runDir: `${plan.stateDir}/${token}`,
      windowSeconds: window,
      activationSeconds: Math.ceil(plan.activationTimeout),
      previousCurrent: state.current,
      lockDir: plan.lockDir,
      setProfile: plan.mode !== 'dry-activate' && plan.mode !== 'test',
      previousProfile: state.profile,
      previousProfileLink: state.profileLink,
      currentSystemPath: plan.currentSystemPath,
      switchGeneration: generation,
      maxGeneration: state.maxGeneration,
    };
    log(`${plan.host}: switch-to-configuration ${plan.mode}${window ? ` (watchdog: rollback unless confirmed within ${window}s)` : ''}`);
    let activatedAt: number | undefined;
    try {
      await activate(t, plan, ctx, log);
      activatedAt = Date.now();
      if (plan.mode === 'dry-activate') return finish({ status: 'dry-activated', previous });
      if (plan.mode === 'boot') return finish({ status: 'deployed', previous });

      log(`${plan.host}: confirming over a new ssh connection`);
      const confirmBy = activatedAt + plan.confirmTimeout * 1000;
      // Without health checks the commit's own fresh connection is the confirmation.
      if (plan.healthChecks.length > 0) {
        await freshConnection(t, plan, confirmBy);
        await runHealthChecks(t, plan, log);
      }
      const confirmed = await commit(t, plan, ctx, confirmBy);
      locked = false;
      if ('result' in confirmed) {
        const outcome = rollbackOutcome(ctx, confirmed.result === 'rolled-back', confirmed.running, `not confirmed within ${window}s: the target's watchdog`);
        return finish({ ...outcome, previous, step: 'confirm', rolledBackBy: 'watchdog' });
      }
      // Read back, not assumed: a host that runs something else after activation was not deployed.
      if (confirmed.running && confirmed.running !== outPath) {
        return finish({ status: 'failed', previous, running: confirmed.running, step: 'confirm', message: `activated and confirmed, but ${plan.host} runs ${confirmed.running}, not ${outPath}.` });
      }
      log(`${plan.host}: ${generation ? `confirmed on generation ${generation}` : 'deployed'}`);
      return finish({ status: 'deployed', previous, running: confirmed.running });
    } catch (e) {
      if (t.signal?.aborted) return stopped(ctx);
      const failure = e instanceof DeployStepError ? e : new DeployStepError('activation', outputOf(e));
      if (!plan.rollback || plan.mode === 'dry-activate') {
        return finish({ status: 'failed', previous, step: failure.step, message: failure.message });
      }
      // A lost connection during activation: assume the switch ended about now.
      const watchdogAt = window ? (activatedAt ?? Date.now()) + window * 1000 : undefined;
      const outcome = await rollBack(t, plan, ctx, failure, watchdogAt, log);
      // The rollback runs detached on the target once it began: it ends there without us.
      if (t.signal?.aborted) return stopped(ctx, failure.step);
      locked = outcome.status === 'rolled-back' ? false : locked;
      return finish({ ...outcome, previous, step: failure.step });
    }
  } finally {
    if (locked && !t.signal?.aborted) await releaseLock(t, plan, token);
  }
}
