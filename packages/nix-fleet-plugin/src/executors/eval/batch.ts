// Batch eval (the default with "preferBatch"; off with --batch=false): the tasks run in this one
// process, one after another; the first evaluates every host of the run (fleet-eval.ts) and
// the others find theirs remembered, so each is reported the moment its record is written.
import evalExecutor from './executor';
import { batchOf } from '../batch/each-task';

export default batchOf(evalExecutor, () => 1);
