// Before anything runs: the machine a host deploys to is the one it names. This machine only
// when asked (--local, or allowLocalTargets in nx.json), and no other host of the fleet names
// the same machine, however spelled (host/shared-targets.ts).
import type { ExecutorContext } from '@nx/devkit';
import { PLUGIN_NAME } from '../constants';
import { currentRunId } from '../nix/fleet-eval';
import { hostsSharingTarget, machineOf, type Machine } from '../host/shared-targets';
import { isThisMachine, normaliseAddress } from '../host/machine-address';
import { parseTargetAddress } from '../host/target-address';
import type { DeployPlan } from './options';

/** nx.json's nix-fleet plugin option that lets host.json name this machine. */
export const ALLOW_LOCAL_OPTION = 'allowLocalTargets';

/** Whether nx.json's entry for the plugin sets allowLocalTargets: true. */
export function allowsLocalTargets(context: Pick<ExecutorContext, 'nxJsonConfiguration'>): boolean {
  const entry = context.nxJsonConfiguration?.plugins?.find((p) => {
    const name = typeof p === 'string' ? p : p.plugin;
    return name === PLUGIN_NAME || name.replace(/\/$/, '').endsWith('packages/nix-fleet-plugin');
  });
  return typeof entry === 'object' && (entry.options as Record<string, unknown> | undefined)?.[ALLOW_LOCAL_OPTION] === true;
}

/**
 * A target on this machine (its names, loopback, its addresses; on ssh's own port, since another
 * port is a tunnel whose far end the host key proves) is refused unless asked for.
 */
export function checkLocalAllowed(host: string, plan: Pick<DeployPlan, 'target'>, machine: Machine, local: boolean | undefined, allowed: boolean, targetName = 'deploy'): void {
  const tunnel = plan.target.port !== undefined && plan.target.port !== 22;
  if (local || allowed || tunnel || !machine.local) return;
  throw new Error(
    `Host "${host}" deploys to ${plan.target.host}, which is this machine: its activation would run as root here. ` +
      `Nothing was run. Pass --local to mean it (nx run ${host}:${targetName} --local), or let host.json name this machine ` +
      `with "${ALLOW_LOCAL_OPTION}": true in the options of the ${PLUGIN_NAME} plugin in nx.json.`,
  );
}

/** Refuses a target another host of the fleet also deploys to; returns the machine for later checks. */
export async function checkMachine(root: string, host: string, plan: DeployPlan, opts: { local?: boolean; targetHost?: string; allowed: boolean; targetName?: string }): Promise<Machine> {
  const machine = await machineOf(plan.target);
  checkLocalAllowed(host, plan, machine, opts.local, opts.allowed, opts.targetName);
  const twins = await hostsSharingTarget(root, host, machine, plan.target.configFile, currentRunId());
  if (twins.length > 0) {
    const seen = [machine.name, ...machine.addresses].filter((a, i, all) => a !== plan.target.host && all.indexOf(a) === i);
    const where = `${plan.target.host}${machine.local ? ' (this machine)' : seen.length > 0 ? ` (${seen.join(', ')})` : ''}`;
    const source = opts.local ? '--local' : opts.targetHost !== undefined ? `--targetHost=${opts.targetHost}` : `hosts/${host}/host.json`;
    throw new Error(
      `${source} and ${twins.map((t) => `hosts/${t}/host.json`).join(', ')} all deploy to ${where}` +
        `${machine.port !== 22 ? ` port ${machine.port}` : ''}: one machine would get another host's system. Give each host its own deployment.targetHost.`,
    );
  }
  return machine;
}

/**
 * The same refusal from the host's eval task, when the run also deploys the host: so a local
 * target nobody asked for stops the run before anything is evaluated or built.
 */
export async function refuseUnaskedLocalDeploy(context: ExecutorContext, host: string, deployment: { targetHost?: string; port?: number } | undefined): Promise<void> {
  const targets = context.projectsConfigurations?.projects[host]?.targets ?? {};
  const deploy = Object.values(context.taskGraph?.tasks ?? {}).find((t) => t.target.project === host && targets[t.target.target]?.executor === `${PLUGIN_NAME}:deploy`);
  if (!deploy) return;
  const options = { ...targets[deploy.target.target]?.options, ...deploy.overrides } as { local?: boolean; targetHost?: string; port?: number };
  const given = options.targetHost ?? deployment?.targetHost;
  if (options.local || given === undefined) return;
  let address;
  try {
    address = parseTargetAddress(given, 'targetHost', { port: options.port ?? deployment?.port });
  } catch {
    // The deploy task names the problem itself.
    return;
  }
  // By name and resolution only, no `ssh -G`: nothing ssh runs before the deploy checked its options.
  const machine: Machine = { name: normaliseAddress(address.host), port: address.port ?? 22, addresses: [], local: await isThisMachine(address.host) };
  checkLocalAllowed(host, { target: { host: address.host, port: address.port, sshOptions: [], connectTimeout: 10 } }, machine, false, allowsLocalTargets(context), deploy.target.target);
}
