// What a deploy can be asked: the deploy executor's options (its schema.json documents each).

export type DeployMode = 'switch' | 'boot' | 'test' | 'dry-activate';

export interface DeployOptions {
  host?: string;
  flake?: string;
  mode?: DeployMode;
  force?: boolean;
  breakLock?: 'stale' | 'force';
  /** This machine, without ssh: as if targetHost were localhost. */
  local?: boolean;
  targetHost?: string;
  targetUser?: string;
  port?: number;
  sshOptions?: string[];
  substituteOnTarget?: boolean;
  checkSigs?: boolean;
  rollback?: boolean;
  confirmTimeout?: number;
  activationTimeout?: number;
  connectTimeout?: number;
  profilePath?: string;
  currentSystemPath?: string;
  lockDir?: string;
  stateDir?: string;
  privilegeCommand?: string[];
}
