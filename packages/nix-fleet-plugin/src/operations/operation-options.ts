// The options every day-two executor shares with deploy: how to reach the host.
import type { DeployOptions } from '../deploy/deploy-options';

export type HostConnectionOptions = Pick<DeployOptions, 'host' | 'local' | 'targetHost' | 'targetUser' | 'port' | 'sshOptions' | 'connectTimeout' | 'privilegeCommand'>;
