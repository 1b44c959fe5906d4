// The exec executor's options (schema.json documents each).
export interface ExecExecutorSchema {
  host?: string;
  command: string;
  timeout?: number;
  local?: boolean;
  targetHost?: string;
  targetUser?: string;
  port?: number;
  sshOptions?: string[];
  connectTimeout?: number;
  privilegeCommand?: string[];
}
