// What a deploy can be asked: the deploy executor's options (its schema.json documents each).

export type DeployMode = 'switch' | 'boot' | 'test' | 'dry-activate';
/** plan reads each host and changes nothing (src/deploy/plan.ts); the others activate. */
export type ExecutorMode = DeployMode | 'plan';

export interface DeployOptions {
  host?: string;
  flake?: string;
  mode?: ExecutorMode;
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
  buildTimeout?: number;
  connectTimeout?: number;
  profilePath?: string;
  currentSystemPath?: string;
  lockDir?: string;
  stateDir?: string;
  privilegeCommand?: string[];
  /**
   * Set by the plugin's wave dependencies, never by hand: the host whose deploy made Nx add this
   * task (src/graph/waves.ts). A task whose waveOf names another host was not selected.
   */
  waveOf?: string;
}
