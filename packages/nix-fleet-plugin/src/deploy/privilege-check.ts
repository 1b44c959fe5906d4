// A deploy as a user other than root runs every privileged step through privilegeCommand
// (`sudo -n` unless set). Checked once, before the lock and before anything is copied, so a
// user without the rule is refused with the line to add instead of failing half-way.
import type { DeployPlan } from './options';
import { DeployStepError } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

/**
 * The sudoers rule a deploy user needs. Every privileged step is a `sh -c` script run as root
 * (see remote-scripts.ts), so no narrower rule works: this rule amounts to root.
 */
export function sudoersRule(user: string): string {
  return `${user} ALL=(root) NOPASSWD: /bin/sh`;
}

export function privilegeRefusal(plan: Pick<DeployPlan, 'host' | 'target' | 'privilegeCommand'>, detail: string): string {
  const { user, host } = plan.target;
  const command = plan.privilegeCommand.join(' ');
  const fix =
    plan.privilegeCommand[0] === 'sudo'
      ? `Add this sudoers rule on ${plan.host} (visudo -f /etc/sudoers.d/nix-fleet):\n  ${sudoersRule(user!)}\nor deploy as root (targetUser "root").`
      : `Allow ${user} to run /bin/sh as root through "${command}" without a password, or deploy as root (targetUser "root").`;
  return `${user}@${host} cannot run nix-fleet's privileged steps as root with "${command}" (${detail}); nothing was copied. ${fix}`;
}

/** Refuses, before anything is copied, a non-root target user whose privilegeCommand does not give root. */
export async function checkPrivilege(t: Target, plan: DeployPlan): Promise<void> {
  const user = plan.target.user;
  if (!user || user === 'root' || plan.privilegeCommand.length === 0) return;
  let uid: string;
  try {
    uid = (await t.exec(['id', '-u'], { timeoutMs: (plan.target.connectTimeout + 30) * 1000, remoteSeconds: 30 })).stdout.trim();
  } catch (e) {
    if (isConnectionFailure(e)) throw e;
    throw new DeployStepError('connect', privilegeRefusal(plan, outputOf(e).split('\n')[0]));
  }
  if (uid !== '0') throw new DeployStepError('connect', privilegeRefusal(plan, `it ran as uid ${uid || 'unknown'}`));
}
