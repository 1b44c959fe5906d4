// The generations executor's options (schema.json documents each).
export interface GenerationsExecutorSchema {
  host?: string;
  json?: boolean;
  local?: boolean;
  targetHost?: string;
  targetUser?: string;
  port?: number;
  sshOptions?: string[];
  connectTimeout?: number;
  profilePath?: string;
  currentSystemPath?: string;
  stateDir?: string;
  privilegeCommand?: string[];
}
