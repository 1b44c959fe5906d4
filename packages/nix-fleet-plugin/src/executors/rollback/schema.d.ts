// The rollback executor's options: a deploy's connection, timeouts and paths, plus which generation.
import type { DeployOptions } from '../../deploy/deploy-options';

export interface RollbackExecutorSchema extends Omit<DeployOptions, 'flake' | 'force' | 'substituteOnTarget' | 'checkSigs' | 'mode'> {
  /** The generation number to switch to; default: the newest one before the current one. */
  to?: number;
  mode?: 'switch' | 'boot';
}
