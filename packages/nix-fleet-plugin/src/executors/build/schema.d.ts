export interface BuildExecutorSchema {
  host?: string;
  flake?: string;
  dryRun?: boolean;
  extraArgs?: string[];
  builders?: string;
  buildHost?: string;
  cacheTo?: string;
  signingKey?: string;
  progress?: boolean;
}
