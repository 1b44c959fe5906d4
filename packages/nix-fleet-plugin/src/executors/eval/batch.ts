// Batch eval (the default with "preferBatch"; off with --batch=false): the tasks run in this one
// process, one after another; the first evaluates every host of the run (fleet-eval.ts) and
// the others find theirs remembered, so each is reported the moment its record is written.
import evalExecutor from './executor';
import { batchOf } from '../batch/each-task';

// Stryker disable next-line ArrowFunction: eachTask runs a limit that is not a number of at least 1 as 1, so () => undefined is () => 1
export default batchOf(evalExecutor, () => 1);
