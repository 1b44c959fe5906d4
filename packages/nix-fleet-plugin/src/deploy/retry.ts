// The one retry loop of deploy: connections, confirmations, health checks and rollbacks all try
// again once a second until a deadline, stopping at once on an error that retrying cannot fix.
import { AbortedError } from '../process/run';
import { sleep } from './step-error';

export interface RetryOptions {
  /** True for an error worth another try (a lost connection, a service still starting). */
  retryable: (e: unknown) => boolean;
  /** Called with each retryable error before the pause. */
  onRetry?: (e: unknown) => void;
  intervalMs?: number;
}

/**
 * Calls `attempt` until it returns, or throws: the first error that is not retryable at once,
 * the last retryable one when the next try would start after `deadline` (ms since the epoch).
 */
export async function retryUntil<T>(deadline: number, attempt: () => Promise<T>, { retryable, onRetry, intervalMs = 1000 }: RetryOptions): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      // A deploy stopped from outside tries nothing again.
      if (e instanceof AbortedError || !retryable(e) || Date.now() + intervalMs > deadline) throw e;
      onRetry?.(e);
    }
    await sleep(intervalMs);
  }
}
