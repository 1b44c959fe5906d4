// The generations executor's options (schema.json documents each).
import type { HostConnectionOptions } from '../../operations/operation-options';

export interface GenerationsExecutorSchema extends HostConnectionOptions {
  json?: boolean;
  profilePath?: string;
  currentSystemPath?: string;
  stateDir?: string;
}
