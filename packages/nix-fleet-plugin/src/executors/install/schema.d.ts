// Options of the install executor, as in schema.json.
export interface InstallExecutorSchema {
  host?: string;
  targetHost?: string;
  yes?: boolean;
  generateHardwareConfig?: boolean;
  diskKeyFile?: string;
  flake?: string;
  connectTimeout?: number;
}
