export interface BuildExecutorSchema {
  host?: string;
  flake?: string;
  dryRun?: boolean;
  extraArgs?: string[];
}
