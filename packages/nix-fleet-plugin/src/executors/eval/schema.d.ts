export interface EvalExecutorSchema {
  host?: string;
  flake?: string;
  memoryPerHostMiB?: number;
}
