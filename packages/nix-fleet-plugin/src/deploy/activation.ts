// Activation: arm the target's watchdog, start switch-to-configuration detached from the ssh
// session, and follow its log until it ends. A dropped connection does not stop it: the
// deployer follows it again over a new connection (a shared one starts a new master), from the
// byte where it was.
import type { CommandError } from '../process/run';
import type { DeployPlan } from './options';
import { activateArgv, followArgv, type DeployContext } from './remote-scripts';
import { retryUntil } from './retry';
import { DeployStepError } from './step-error';
import { isConnectionFailure, outputOf, type Target } from './target';

const MARKER = /^nix-fleet-activation=(\S+)$/m;

/** Reads the follower's final marker: an exit code, "running" or "missing". */
export function activationOutcome(stdout: string): string | undefined {
  return MARKER.exec(stdout)?.[1];
}

export async function activate(t: Target, plan: DeployPlan, ctx: DeployContext, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + plan.activationTimeout * 1000;
  const onStdoutLine = (line: string) => {
    if (line.trim() && !MARKER.test(line)) log(`  | ${line}`);
  };
  let shown = 0;
  let first = true;
  let lostAt: string | undefined;
  const attempt = async (): Promise<void> => {
    const seconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const argv = first ? activateArgv(ctx, seconds) : followArgv(ctx.runDir, shown, seconds);
    const r = await t.exec(argv, { onStdoutLine, timeoutMs: (seconds + plan.target.connectTimeout + 10) * 1000 });
    const outcome = activationOutcome(r.stdout);
    if (outcome === '0') return;
    if (outcome === 'running') {
      throw new DeployStepError('activation', `switch-to-configuration ${plan.mode} did not finish within ${plan.activationTimeout}s (activationTimeout).`);
    }
    if (outcome === 'missing') {
      throw new DeployStepError('activation', `the activation never started on ${plan.host}${lostAt ? ` (the connection was lost while starting it: ${lostAt})` : ''}.`);
    }
    const tail = r.stdout.replace(MARKER, '').trim().split('\n').slice(-8).join('\n');
    throw new DeployStepError('activation', `switch-to-configuration ${plan.mode} failed (exit ${outcome ?? 'unknown'})${tail ? `:\n${tail}` : ''}`);
  };
  const onRetry = (e: unknown) => {
    // What the lost follower printed was shown: the next one starts after it. Only ssh's
    // CommandError is retried (isConnectionFailure), so there is always a stdout.
    shown += Buffer.byteLength((e as CommandError).stdout);
    lostAt = outputOf(e);
    first = false;
    log(`  connection lost during activation (${lostAt.split('\n')[0]}); it goes on detached on ${plan.host}: following it over a new connection`);
  };
  try {
    await retryUntil(deadline, attempt, { retryable: isConnectionFailure, onRetry });
  } catch (e) {
    if (e instanceof DeployStepError) throw e;
    if (!isConnectionFailure(e)) throw new DeployStepError('activation', `could not run the activation on ${plan.host}: ${outputOf(e)}`);
    throw new DeployStepError('activation', `the connection to ${plan.target.host} was lost during switch-to-configuration ${plan.mode} and not regained within ${plan.activationTimeout}s: ${outputOf(e)}`, true);
  }
}
