// Batch rollback (the default with "preferBatch"; off with --batch=false): every host of the run in
// this one process, through host-operation's batch path.
import rollbackExecutor from './executor';
import { hostOperationBatch } from '../host-operation';

export default hostOperationBatch(rollbackExecutor);
