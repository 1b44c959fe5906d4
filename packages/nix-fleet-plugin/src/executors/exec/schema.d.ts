// The exec executor's options (schema.json documents each).
import type { HostConnectionOptions } from '../../operations/operation-options';

export interface ExecExecutorSchema extends HostConnectionOptions {
  command: string;
  timeout?: number;
}
