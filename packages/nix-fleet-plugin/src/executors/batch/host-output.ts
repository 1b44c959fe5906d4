// Each task of a batch gets its own terminal output, as if it ran in a process of its own.
//
// A batch runs many hosts in one process, at the same time, through code that prints with
// console.log and pipes commands' stderr to ours. Nx shows a batch task's `terminalOutput` when
// it finishes (on its stdout) and replays it from its cache, so what a task writes to stdout
// while it runs (found by the async context the write was made in) is kept as that task's
// output instead of going to the shared stream. Its stderr (progress, echoed commands, errors)
// still goes out live, as a one-task process's would, and is kept too, for a failed task's
// report. Writes outside any task (a batch's own progress) stay live.
import { AsyncLocalStorage } from 'node:async_hooks';

interface Kept {
  stdout: string[];
  /** stdout and stderr in the order written. */
  both: string[];
}

const current = new AsyncLocalStorage<Kept>();
let installed = false;

type Write = typeof process.stdout.write;

function capture(stream: NodeJS.WriteStream, live: boolean): void {
  const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const kept = current.getStore();
    if (!kept) return write(chunk, ...rest);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf-8');
    kept.both.push(text);
    if (live) return write(chunk, ...rest);
    kept.stdout.push(text);
    const done = rest.find((r): r is () => void => typeof r === 'function');
    if (done) process.nextTick(done);
    return true;
  }) as Write;
}

function install(): void {
  if (installed) return;
  installed = true;
  capture(process.stdout, false);
  capture(process.stderr, true);
}

export interface OwnOutput {
  /** What the task wrote to stdout. */
  stdout: () => string;
  /** stdout and stderr in the order written. */
  both: () => string;
}

/** Runs `fn` with its output kept apart from other tasks'; the output may be read before it settles. */
export function withOwnOutput<T>(fn: () => Promise<T>): { settled: Promise<{ value?: T; error?: unknown }>; output: OwnOutput } {
  install();
  const kept: Kept = { stdout: [], both: [] };
  const output = { stdout: () => kept.stdout.join(''), both: () => kept.both.join('') };
  // A throw before fn returns its promise is that task's failure too, never the batch's.
  const settled = current.run(kept, () =>
    new Promise<T>((resolve) => resolve(fn())).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
  );
  return { settled, output };
}
