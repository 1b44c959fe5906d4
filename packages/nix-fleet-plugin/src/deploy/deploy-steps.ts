// The steps of one host's deploy, in order: lock, copy, activate, confirm, roll back. Each
// step gets the deploy in progress (HostDeploy) and returns what the next step needs, or the
// deploy's final result when the deploy ends there. deploy-host.ts runs them.
import { activate } from './activation';
import { commit, freshConnection } from './confirm';
import { runHealthChecks } from './health';
import { abortReason } from '../process/command-error';
import { acquireLock, lockOwner, type TargetState } from './lock';
import { checkPrivilege } from './privilege-check';
import { watchdogWindow, type DeployPlan } from './options';
import type { DeployContext } from './remote-scripts';
import type { DeployResult } from './result';
import { rollBack, rollbackOutcome } from './rollback';
import { DeployStepError } from './step-error';
import { stoppedMessage } from './stopped';
import { outputOf, type Target } from './target';

/** One host's deploy while it runs: what every step reads, and how it ends. */
export interface HostDeploy {
  plan: DeployPlan;
  t: Target;
  log: (line: string) => void;
  token: string;
  /** Set by the lock step: what the host ran and its profile, read under the lock. */
  state?: TargetState;
  /** The deploy's result: what it was asked, plus `r`, timed. */
  finish(r: Partial<DeployResult> & Pick<DeployResult, 'status'>): DeployResult;
}

/** Stopped from outside (SIGINT, SIGTERM, nx gone): report, and contact the host no more. */
export function stopped(d: HostDeploy, ctx?: DeployContext, rollingBackAfter?: string): DeployResult {
  const why = abortReason(d.t.signal!);
  return d.finish({ status: 'failed', previous: d.state?.current || undefined, step: 'interrupted', message: stoppedMessage(d.plan, why, ctx, rollingBackAfter) });
}

/** Step 1, lock: vets ssh and the target user's privilege, then takes the host's lock and reads its state in one connection. */
export async function lockStep(d: HostDeploy): Promise<TargetState | DeployResult> {
  try {
    await d.t.checkHostKeys().catch((e: unknown) => {
      throw new DeployStepError('connect', outputOf(e));
    });
    await checkPrivilege(d.t, d.plan);
    d.log(`${d.plan.host}: locking ${d.plan.target.host}`);
    return (d.state = await acquireLock(d.t, d.plan, lockOwner(d.token), d.log));
  } catch (e) {
    if (d.t.signal?.aborted) return stopped(d);
    const err = e instanceof DeployStepError ? e : new DeployStepError('connect', outputOf(e));
    return d.finish({ status: 'failed', step: err.step, message: err.message });
  }
}

/** Step 2, copy: the closure to the host (built there for buildOn remote); undefined when copied. */
export async function copyStep(d: HostDeploy, outPath: string): Promise<DeployResult | undefined> {
  d.log(`${d.plan.host}: copying ${outPath}`);
  try {
    await d.t.copy(outPath);
    return undefined;
  } catch (e) {
    if (d.t.signal?.aborted) return stopped(d);
    return d.finish({ status: 'failed', previous: d.state?.current || undefined, step: 'copy', message: `nix copy to ${d.plan.target.host} failed: ${outputOf(e)}` });
  }
}

/** What the remote scripts of this deploy are told (see remote-scripts.ts). */
export function deployContext(plan: DeployPlan, token: string, outPath: string, state: TargetState, generation: string): DeployContext {
  return {
    profile: plan.profilePath,
    outPath,
    mode: plan.mode,
    runDir: `${plan.stateDir}/${token}`,
    windowSeconds: watchdogWindow(plan),
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
}

/** Step 3, activate: arms the watchdog and runs switch-to-configuration; returns when it ended. */
export async function activateStep(d: HostDeploy, ctx: DeployContext): Promise<number> {
  const window = ctx.windowSeconds;
  d.log(`${d.plan.host}: switch-to-configuration ${d.plan.mode}${window ? ` (watchdog: rollback unless confirmed within ${window}s)` : ''}`);
  await activate(d.t, d.plan, ctx, d.log);
  return Date.now();
}

/**
 * Step 4, confirm: a new ssh connection and the health checks, then the decision claimed on
 * the target (which releases the lock). The watchdog may have decided first.
 */
export async function confirmStep(d: HostDeploy, ctx: DeployContext, activatedAt: number, generation: string): Promise<DeployResult> {
  const { plan, t } = d;
  const previous = d.state?.current || undefined;
  d.log(`${plan.host}: confirming over a new ssh connection`);
  const confirmBy = activatedAt + plan.confirmTimeout * 1000;
  // Without health checks the commit's own fresh connection is the confirmation.
  if (plan.healthChecks.length > 0) {
    await freshConnection(t, plan, confirmBy);
    await runHealthChecks(t, plan, d.log);
  }
  const confirmed = await commit(t, plan, ctx, confirmBy);
  if ('result' in confirmed) {
    const outcome = rollbackOutcome(ctx, confirmed.result === 'rolled-back', confirmed.running, `not confirmed within ${ctx.windowSeconds}s: the target's watchdog`);
    return d.finish({ ...outcome, previous, step: 'confirm', rolledBackBy: 'watchdog' });
  }
  // Read back, not assumed: a host that runs something else after activation was not deployed.
  if (confirmed.running && confirmed.running !== ctx.outPath) {
    return d.finish({ status: 'failed', previous, running: confirmed.running, step: 'confirm', message: `activated and confirmed, but ${plan.host} runs ${confirmed.running}, not ${ctx.outPath}.` });
  }
  d.log(`${plan.host}: ${generation ? `confirmed on generation ${generation}` : 'deployed'}`);
  return d.finish({ status: 'deployed', previous, running: confirmed.running });
}

/**
 * Step 5, roll back: after a failure once activation began, back to what ran before (the
 * deployer if it can reach the host, else the watchdog). `activatedAt` is unset when the
 * connection was lost during the activation: the switch is then assumed to end about now.
 */
export async function rollBackStep(d: HostDeploy, ctx: DeployContext, e: unknown, activatedAt: number | undefined): Promise<DeployResult> {
  const { plan, t } = d;
  const previous = d.state?.current || undefined;
  if (t.signal?.aborted) return stopped(d, ctx);
  const failure = e instanceof DeployStepError ? e : new DeployStepError('activation', outputOf(e));
  if (!plan.rollback || plan.mode === 'dry-activate') {
    return d.finish({ status: 'failed', previous, step: failure.step, message: failure.message });
  }
  const watchdogAt = ctx.windowSeconds ? (activatedAt ?? Date.now()) + ctx.windowSeconds * 1000 : undefined;
  const outcome = await rollBack(t, plan, ctx, failure, watchdogAt, d.log);
  // The rollback runs detached on the target once it began: it ends there without us.
  if (t.signal?.aborted) return stopped(d, ctx, failure.step);
  return d.finish({ ...outcome, previous, step: failure.step });
}
