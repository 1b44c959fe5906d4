export interface ClosureSizeExecutorSchema {
  host?: string;
  flake?: string;
  json?: boolean;
  updateBaseline?: boolean;
  maxSize?: number | string;
  maxGrowth?: number | string;
  top?: number;
}
