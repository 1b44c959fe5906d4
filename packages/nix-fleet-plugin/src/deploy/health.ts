// Health checks after activation: commands run on the target, URLs fetched from it.
import type { HealthCheck } from '../host/host-json';
import type { DeployPlan } from './options';
import { fetchUrlArgv, healthCommandArgv } from './remote-scripts';
import { retryUntil } from './retry';
import { DeployStepError } from './step-error';
import { outputOf, type Target } from './target';

/** The stdout a health command keeps: the failure shows its last lines; it may print without end. */
const OUTPUT_TAIL = 64 * 1024;

export function describeCheck(check: HealthCheck): string {
  return check.url ? `GET ${check.url}` : `command ${JSON.stringify(check.command)}`;
}

export function checkArgv(check: HealthCheck & { timeout: number }): string[] {
  if (check.url) return fetchUrlArgv(check.url, Math.max(1, Math.ceil(check.timeout)));
  return healthCommandArgv(check.command ?? 'true');
}

/**
 * Each check is retried until it passes or its timeout ends (services take a moment to start).
 * Checks test services, not logins: they run over the shared connection, after a fresh one
 * proved a new login works (freshConnection in confirm.ts).
 */
export async function runHealthChecks(t: Target, plan: DeployPlan, log: (line: string) => void): Promise<void> {
  for (const check of plan.healthChecks) {
    const deadline = Date.now() + check.timeout * 1000;
    try {
      await retryUntil(deadline, () => t.exec(checkArgv(check), { timeoutMs: Math.max(deadline - Date.now(), 1000), stdoutTailBytes: OUTPUT_TAIL }), { retryable: () => true });
    } catch (e) {
      throw new DeployStepError('health check', `${describeCheck(check)} did not pass within ${check.timeout}s: ${outputOf(e)}`);
    }
    log(`  health check passed: ${describeCheck(check)}`);
  }
}
