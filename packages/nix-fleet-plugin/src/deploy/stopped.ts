// What a deploy stopped from outside (SIGINT, SIGTERM, nx gone) tells the person: what it left
// on the host, and who decides now.
import type { DeployPlan } from './options';
import type { DeployContext } from './remote-scripts';
import { rollbackTarget } from './rollback';

export function stoppedMessage(plan: DeployPlan, why: string, ctx?: DeployContext, rollingBackAfter?: string): string {
  const head = `stopped by ${why}: the deployer stopped following ${plan.host} and closed its ssh connection.`;
  if (ctx && rollingBackAfter) {
    return (
      `${head} It was rolling back (${rollingBackAfter} failed): a rollback that began goes on detached on the target, ` +
      `back to ${rollbackTarget(ctx) || 'the previous system'}, and releases the lock; if it had not begun, the watchdog decides. ` +
      `Check the host with its generations target.`
    );
  }
  if (!ctx) {
    return `${head} Nothing was activated. The lock ${plan.lockDir} on ${plan.target.host} stays until the next deploy passes --breakLock=stale.`;
  }
  if (ctx.windowSeconds > 0) {
    return (
      `${head} The activation goes on detached; nobody confirms it, so the target's watchdog rolls back to ` +
      `${rollbackTarget(ctx) || 'the previous system'} ${ctx.windowSeconds}s after it ends, and releases the lock.`
    );
  }
  return `${head} No watchdog was armed (mode ${ctx.mode}${plan.rollback ? '' : ', --rollback=false'}): the activation goes on detached; check the host with its generations target.`;
}
