// Runs a batch's tasks in the order of Nx's task graph: a task starts once every task it
// depends on inside the batch succeeded (a deploy wave waits for the wave below), at most
// `limit` at once, and each is yielded as it finishes. A task whose dependency did not succeed
// never starts; it is yielded as skipped with the tasks that held it back. Once `signal` is
// aborted no task starts: those waiting are yielded as stopped, with the reason.
import { abortReason } from '../../process/command-error';

export type Outcome<T> = { id: string; ran: true; ok: boolean; value: T } | { id: string; ran: false; blockedBy: string[]; stopped?: string };

export async function* inTaskOrder<T>(
  ids: string[],
  dependencies: Record<string, string[] | undefined>,
  limit: number,
  run: (id: string) => Promise<{ ok: boolean; value: T }>,
  signal?: AbortSignal,
): AsyncGenerator<Outcome<T>> {
  const inBatch = new Set(ids);
  // Dependencies outside the batch (builds, evals) finished before Nx started it.
  const deps = new Map(ids.map((id) => [id, (dependencies[id] ?? []).filter((d) => inBatch.has(d))]));
  const ok = new Map<string, boolean>();
  const waiting = [...ids].sort();
  const running = new Map<string, Promise<Outcome<T>>>();
  const max = Math.max(1, Math.floor(limit));
  while (waiting.length > 0 || running.size > 0) {
    if (signal?.aborted) {
      const stopped = abortReason(signal);
      for (const id of waiting.splice(0)) yield { id, ran: false, blockedBy: [], stopped };
    }
    // Tasks held back by a dependency that did not succeed end first, and free their dependents.
    for (let i = 0; i < waiting.length; i++) {
      const id = waiting[i];
      const blockedBy = deps.get(id)!.filter((d) => ok.get(d) === false);
      if (blockedBy.length === 0) continue;
      waiting.splice(i--, 1);
      ok.set(id, false);
      yield { id, ran: false, blockedBy };
    }
    for (let i = 0; i < waiting.length && running.size < max; i++) {
      const id = waiting[i];
      if (!deps.get(id)!.every((d) => ok.get(d) === true)) continue;
      waiting.splice(i--, 1);
      // `run` reports a failure as a value: a rejection would end the whole batch.
      running.set(id, run(id).then((r) => ({ id, ran: true as const, ok: r.ok, value: r.value })));
    }
    if (running.size === 0) {
      if (waiting.length === 0) break;
      // Only a cycle leaves tasks that can never start: Nx refuses those before, but never hang.
      for (const id of waiting.splice(0)) yield { id, ran: false, blockedBy: deps.get(id)! };
      break;
    }
    const done = await Promise.race(running.values());
    running.delete(done.id);
    if (done.ran) ok.set(done.id, done.ok);
    yield done;
  }
}
