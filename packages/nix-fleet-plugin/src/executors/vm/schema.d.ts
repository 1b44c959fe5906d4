// Options of the vm executor, as in schema.json.
export interface VmExecutorSchema {
  host?: string;
  start?: boolean;
  sshPort?: number;
  flake?: string;
}
