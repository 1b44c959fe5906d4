// A bounded pool: at most `limit` jobs at once, each worker taking the next job as it finishes one.

/** Runs `work` on every item, `limit` at a time (at least one), in the items' order of start. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, queue.length));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (queue.length > 0) await work(queue.shift() as T);
    }),
  );
}
