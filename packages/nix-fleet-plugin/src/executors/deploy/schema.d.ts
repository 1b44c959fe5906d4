// The deploy executor's options are the deploy domain's (src/deploy/deploy-options.ts).
export type { DeployMode, DeployOptions as DeployExecutorSchema } from '../../deploy/deploy-options';
