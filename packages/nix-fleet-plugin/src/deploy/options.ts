// Turns executor options and host.json's deployment record into one checked deploy plan.
import type { HealthCheck, HostJson } from '../host/host-json';
import type { SshTarget } from '../ssh/argv';
import { checkSshOptions } from '../ssh/options';
import { parseTargetAddress, TARGET_USER_PATTERN } from '../host/target-address';
import type { DeployMode, DeployOptions } from './deploy-options';
import type { RemoteBuild } from './remote-build';

export const DEPLOY_MODES: DeployMode[] = ['switch', 'boot', 'test', 'dry-activate'];

/** NixOS's own locations; tests point them into a test host's /nix and /run. */
export const DEPLOY_DEFAULTS = {
  mode: 'switch' as DeployMode,
  confirmTimeout: 30,
  activationTimeout: 600,
  // A system built on its target (buildOn remote) takes far longer than a switch: a day, as the limit.
  buildTimeout: 86400,
  connectTimeout: 10,
  healthCheckTimeout: 30,
  profilePath: '/nix/var/nix/profiles/system',
  currentSystemPath: '/run/current-system',
  lockDir: '/run/nix-fleet/deploy.lock',
  stateDir: '/run/nix-fleet',
  privilegeCommand: ['sudo', '-n'],
};

export interface DeployPlan {
  host: string;
  target: SshTarget;
  mode: DeployMode;
  force: boolean;
  /** Remove a lock a killed deployer left: when its owner is provably gone, or always. */
  breakLock?: 'stale' | 'force';
  substituteOnTarget: boolean;
  checkSigs: boolean;
  /** Deployer rollback and the target-side watchdog. */
  rollback: boolean;
  confirmTimeout: number;
  activationTimeout: number;
  /** Seconds for building the system on the target (deployment.buildOn remote). */
  buildTimeout: number;
  profilePath: string;
  currentSystemPath: string;
  lockDir: string;
  stateDir: string;
  privilegeCommand: string[];
  healthChecks: Array<HealthCheck & { timeout: number }>;
  /** Set when --targetHost was given as user@host or host:port and split. */
  addressNote?: string;
  /** host.json deployment.buildOn "remote": the derivation to build on the target (set once proven). */
  remoteBuild?: RemoteBuild;
}

/** The longest each duration may be, in seconds: far below Node's timer limit (2^31-1 ms). */
export const DURATION_LIMITS = {
  connectTimeout: 600,
  confirmTimeout: 3600,
  activationTimeout: 86400,
  buildTimeout: 86400,
  'healthChecks.timeout': 3600,
};


function duration(name: keyof typeof DURATION_LIMITS, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  const max = DURATION_LIMITS[name];
  // Number.isFinite is false for anything but a finite number (a string from a hand-written option too).
  if (!Number.isFinite(v) || v <= 0 || v > max) {
    throw new Error(`--${name}=${value} is not a number of seconds from more than 0 to ${max}. Pass e.g. --${name}=${fallback}.`);
  }
  // ssh takes whole seconds for ConnectTimeout and refuses anything else.
  if (name === 'connectTimeout' && !Number.isInteger(v)) {
    throw new Error(`--connectTimeout=${value} is not a whole number of seconds (ssh's ConnectTimeout). Pass e.g. --connectTimeout=${Math.max(1, Math.round(v))}.`);
  }
  return v;
}

function absolutePath(name: string, value: string | undefined, fallback: string): string {
  const v = value ?? fallback;
  if (!v.startsWith('/') || /[\n\0]/.test(v) || v.split('/').includes('..')) {
    throw new Error(`--${name}=${JSON.stringify(value)} must be an absolute path on the target without "..", e.g. ${fallback}.`);
  }
  return v.replace(/\/+$/, '') || '/';
}

/** NIX_FLEET_SSH_CONFIG: the deploying machine's own ssh config file, set by whoever runs the deploy. */
function sshConfigFile(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.NIX_FLEET_SSH_CONFIG;
  if (!file) return undefined;
  if (!file.startsWith('/') || /[\s\0]/.test(file)) {
    throw new Error(`NIX_FLEET_SSH_CONFIG=${JSON.stringify(file)} must be an absolute path without whitespace (Nix passes ssh options split on whitespace).`);
  }
  return file;
}

function breakLockOption(value: unknown): DeployPlan['breakLock'] {
  if (value === undefined || value === false) return undefined;
  if (value === 'stale' || value === 'force') return value;
  throw new Error(`--breakLock=${value} is not a choice: pass --breakLock=stale (only a lock whose owner is provably gone) or --breakLock=force.`);
}

/** Checks everything before any host is touched; errors name the option and the fix. */
export function deployPlan(host: string, hostJson: HostJson, options: DeployOptions, env: NodeJS.ProcessEnv = process.env): DeployPlan {
  const deployment = hostJson.deployment ?? {};
  const given = options.targetHost ?? deployment.targetHost;
  if (!given) {
    throw new Error(`Host "${host}" has no deployment.targetHost in hosts/${host}/host.json. Add it (an address or ssh alias) or pass --targetHost.`);
  }
  const userGiven = options.targetUser ?? deployment.targetUser;
  if (userGiven !== undefined && !TARGET_USER_PATTERN.test(userGiven)) {
    throw new Error(`targetUser ${JSON.stringify(userGiven)} is not a valid user name.`);
  }
  const portGiven = options.port ?? deployment.port;
  if (portGiven !== undefined && (!Number.isInteger(portGiven) || portGiven < 1 || portGiven > 65535)) {
    throw new Error(`--port=${portGiven} is not a TCP port (1-65535).`);
  }
  const address = parseTargetAddress(given, options.targetHost !== undefined ? '--targetHost' : `hosts/${host}/host.json deployment.targetHost`, {
    user: userGiven,
    port: portGiven,
  });
  const { host: targetHost, user: targetUser, port } = address;
  const mode = options.mode ?? DEPLOY_DEFAULTS.mode;
  // plan is the executor's (it activates nothing), so its plan carries the default mode.
  if (mode !== 'plan' && !DEPLOY_MODES.includes(mode)) {
    throw new Error(`--mode=${mode} is not a deploy mode. Use one of: ${DEPLOY_MODES.join(', ')}, plan.`);
  }
  const sshOptions = [
    ...checkSshOptions(deployment.sshOptions ?? [], `hosts/${host}/host.json deployment.sshOptions`),
    ...checkSshOptions(options.sshOptions ?? [], '--sshOptions'),
  ];
  const healthChecks = (deployment.healthChecks ?? []).map((c) => ({
    ...c,
    timeout: duration('healthChecks.timeout', c.timeout, DEPLOY_DEFAULTS.healthCheckTimeout),
  }));
  return {
    host,
    target: {
      host: targetHost,
      user: targetUser,
      port,
      sshOptions,
      connectTimeout: duration('connectTimeout', options.connectTimeout, DEPLOY_DEFAULTS.connectTimeout),
      configFile: sshConfigFile(env),
      // The host key belongs to the fleet host, not to whatever machine the address reaches today.
      hostKeyAlias: host,
    },
    mode: mode === 'plan' ? DEPLOY_DEFAULTS.mode : mode,
    force: options.force ?? false,
    breakLock: breakLockOption(options.breakLock),
    substituteOnTarget: options.substituteOnTarget ?? false,
    checkSigs: options.checkSigs ?? false,
    rollback: options.rollback ?? true,
    confirmTimeout: duration('confirmTimeout', options.confirmTimeout, DEPLOY_DEFAULTS.confirmTimeout),
    activationTimeout: duration('activationTimeout', options.activationTimeout, DEPLOY_DEFAULTS.activationTimeout),
    buildTimeout: duration('buildTimeout', options.buildTimeout, DEPLOY_DEFAULTS.buildTimeout),
    profilePath: absolutePath('profilePath', options.profilePath, DEPLOY_DEFAULTS.profilePath),
    currentSystemPath: absolutePath('currentSystemPath', options.currentSystemPath, DEPLOY_DEFAULTS.currentSystemPath),
    lockDir: absolutePath('lockDir', options.lockDir, DEPLOY_DEFAULTS.lockDir),
    stateDir: absolutePath('stateDir', options.stateDir, DEPLOY_DEFAULTS.stateDir),
    privilegeCommand: options.privilegeCommand ?? DEPLOY_DEFAULTS.privilegeCommand,
    healthChecks,
    addressNote: address.note,
  };
}

/** Seconds the target's watchdog waits for confirmation after activation; 0 = no watchdog. */
export function watchdogWindow(plan: DeployPlan): number {
  if (!plan.rollback || plan.mode === 'boot' || plan.mode === 'dry-activate') return 0;
  return Math.ceil(plan.confirmTimeout + plan.healthChecks.reduce((sum, c) => sum + c.timeout, 0));
}
