// Batch closure-size (the default with "preferBatch"; off with --batch=false): every host in
// this one process, one after another (the first may wait for the run's shared evaluation; each
// after it is one `nix path-info`), each reported with its own table as it finishes.
import closureSizeExecutor from './executor';
import { batchOf } from '../batch/each-task';

export default batchOf(closureSizeExecutor, () => 1);
