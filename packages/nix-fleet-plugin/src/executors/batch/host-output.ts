// Each task of a batch gets its own terminal output, as if it ran in a process of its own.
//
// A batch runs many hosts in one process, at the same time, through code that prints with
// console.log and pipes commands' stderr to ours. Nx shows a batch task's `terminalOutput` when
// it finishes and replays it from its cache, so every write made while a task runs (found by
// the async context it was made in) goes to that task's output instead of the shared stream.
// Writes outside any task (a batch's own progress) stay live.
import { AsyncLocalStorage } from 'node:async_hooks';

const current = new AsyncLocalStorage<string[]>();
let installed = false;

type Write = typeof process.stdout.write;

function capture(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as Write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const into = current.getStore();
    if (!into) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf-8'));
    const done = rest.find((r): r is () => void => typeof r === 'function');
    if (done) process.nextTick(done);
    return true;
  }) as Write;
}

function install(): void {
  if (installed) return;
  installed = true;
  capture(process.stdout);
  capture(process.stderr);
}

export interface Captured<T> {
  value?: T;
  error?: unknown;
  /** Everything written to stdout and stderr while `fn` ran, in order. */
  output: () => string;
}

/** Runs `fn` with its stdout and stderr kept apart; `output` may be read before it settles. */
export function withOwnOutput<T>(fn: () => Promise<T>): { settled: Promise<Captured<T>>; output: () => string } {
  install();
  const chunks: string[] = [];
  const output = () => chunks.join('');
  const settled = current.run(chunks, () =>
    fn().then(
      (value) => ({ value, output }),
      (error: unknown) => ({ error, output }),
    ),
  );
  return { settled, output };
}
