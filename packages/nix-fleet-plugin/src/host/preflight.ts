// Cheap checks before a build or deploy spends minutes in Nix, and Nix's own failures turned
// into a fix. Pure functions over facts the caller reads (readPreflightFacts does it from disk).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTS_DIR, PLUGIN_NAME } from '../constants';

/** The text that marks a hardware-configuration.nix as the generator's placeholder (see its template). */
export const PLACEHOLDER_MARK = 'is still the placeholder written by nx g host';

export interface PreflightFacts {
  host: string;
  /** The flake folder as the plugin option names it, e.g. "." (for messages). */
  flake: string;
  hasFlakeNix: boolean;
  hasFlakeLock: boolean;
  /** The flake declares inputs (a flake without any, like a test fixture, needs no lock). */
  hasInputs: boolean;
  /** hosts/<host>/hardware-configuration.nix, or undefined when the host has none. */
  hardwareConfiguration?: string;
  /** deployment.targetHost after any --target-host override; undefined when unset. */
  targetHost?: string;
  /** Every hosts/<name>/host.json that is not valid JSON, with the parser's message. */
  invalidHostJson?: { file: string; error: string }[];
}

export interface PreflightProblem {
  /** error: stop before Nix runs. warning: print it, then go on (Nix may still succeed). */
  severity: 'error' | 'warning';
  message: string;
}

const LOCK_FIX = 'run "nix flake lock" on a machine with network access (once), then commit flake.lock';

/** What stops `build` (and the build a deploy depends on) before Nix evaluates anything. */
export function preflightBuild(facts: PreflightFacts): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const flakeNix = facts.flake === '.' ? 'flake.nix' : `${facts.flake}/flake.nix`;
  if (!facts.hasFlakeNix) {
    problems.push({
      severity: 'error',
      message:
        `No ${flakeNix}: ${facts.host} is built from the flake's nixosConfigurations.${facts.host}. ` +
        'Add the fleet skeleton with "npx nx g @nix-fleet/nx:init --fleet", or set the plugin option "flake" in nx.json to the folder of your flake.nix.',
    });
    return problems;
  }
  // Every host's evaluation reads every host.json (profiles.fleet.hosts): one broken file stops all.
  for (const bad of facts.invalidHostJson ?? []) {
    problems.push({
      severity: 'error',
      message:
        `${bad.file} is not valid JSON (${bad.error}). Every host's evaluation reads every host.json, ` +
        `so ${facts.host} cannot be evaluated until that file is fixed.`,
    });
  }
  const hardware = `${HOSTS_DIR}/${facts.host}/hardware-configuration.nix`;
  if (facts.hardwareConfiguration?.includes(PLACEHOLDER_MARK)) {
    problems.push({
      severity: 'error',
      message:
        `${hardware} ${PLACEHOLDER_MARK}. On the machine, run ` +
        `"nixos-generate-config --show-hardware-config > ${hardware}" and commit the file.`,
    });
  }
  if (!facts.hasFlakeLock && facts.hasInputs) {
    problems.push({
      severity: 'warning',
      message: `No flake.lock beside ${flakeNix}: Nix must download every flake input (nixpkgs) before it can build; ${LOCK_FIX}.`,
    });
  }
  return problems;
}

/** What stops `deploy` before it spends a build: everything of build, and a target to deploy to. */
export function preflightDeploy(facts: PreflightFacts): PreflightProblem[] {
  const problems = preflightBuild(facts);
  if (!facts.targetHost) {
    problems.push({
      severity: 'error',
      message:
        `${HOSTS_DIR}/${facts.host}/host.json has no deployment.targetHost, so there is nowhere to deploy ${facts.host}. ` +
        'Add it, e.g. "deployment": { "targetHost": "10.0.0.11" } (an address, hostname or ssh alias), or pass --target-host.',
    });
  }
  return problems;
}

/** The parts of Nx's ExecutorContext that runDeploys reads (pass the context itself). */
export interface RunContextLike {
  taskGraph?: { tasks: Record<string, { target: { project: string; target: string } }> };
  projectsConfigurations?: { projects: Record<string, { targets?: Record<string, { executor?: string }> }> };
}

/**
 * True when this run also deploys `project` (a task of it runs the deploy executor, whatever
 * the target is called): deploy depends on build, so the build executor runs preflightDeploy
 * instead of preflightBuild and a missing targetHost costs no build.
 */
export function runDeploys(context: RunContextLike, project: string): boolean {
  const targets = context.projectsConfigurations?.projects[project]?.targets ?? {};
  return Object.values(context.taskGraph?.tasks ?? {}).some(
    (t) => t.target.project === project && targets[t.target.target]?.executor === `${PLUGIN_NAME}:deploy`,
  );
}

/** The facts from disk: the flake folder and the host's hardware file. */
export function readPreflightFacts(workspaceRoot: string, host: string, flake: string, targetHost?: string): PreflightFacts {
  const flakeDir = join(workspaceRoot, flake);
  const hardware = join(workspaceRoot, HOSTS_DIR, host, 'hardware-configuration.nix');
  const flakeNix = join(flakeDir, 'flake.nix');
  return {
    host,
    flake,
    hasFlakeNix: existsSync(flakeNix),
    hasInputs: existsSync(flakeNix) && /^\s*inputs\b/m.test(readFileSync(flakeNix, 'utf-8')),
    hasFlakeLock: existsSync(join(flakeDir, 'flake.lock')),
    hardwareConfiguration: existsSync(hardware) ? readFileSync(hardware, 'utf-8') : undefined,
    targetHost,
    invalidHostJson: invalidHostJson(workspaceRoot),
  };
}

/** The host.json files under hosts/ that JSON.parse refuses (sorted by file), as flake.nix reads them all. */
export function invalidHostJson(workspaceRoot: string): { file: string; error: string }[] {
  const dir = join(workspaceRoot, HOSTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const file = `${HOSTS_DIR}/${name}/host.json`;
      if (!existsSync(join(workspaceRoot, file))) return [];
      try {
        JSON.parse(readFileSync(join(workspaceRoot, file), 'utf-8'));
        return [];
      } catch (e) {
        return [{ file, error: (e as Error).message }];
      }
    });
}

/** Known Nix failures and what to do about them, checked in order against Nix's stderr. */
const EXPLANATIONS: { pattern: RegExp; explain: (m: RegExpMatchArray) => string }[] = [
  {
    pattern: /unable to download '([^']+)'(?:: ([^\n]*))?/,
    explain: (m) =>
      `Nix could not download ${m[1]}${m[2] ? ` (${m[2].trim()})` : ''}. ` +
      (/github\.com|gitlab\.com|sourcehut|\/archive\/|channels\.nixos\.org/.test(m[1])
        ? `That is a flake input, and without a flake.lock pinning it Nix looks it up on the network. Step one: ${LOCK_FIX}; ` +
          'Nix then fetches each pinned input once and keeps it in /nix/store.'
        : 'Check the network, or the substituters in nix.conf.'),
  },
  {
    pattern: /experimental Nix feature '([^']+)' is disabled/,
    explain: (m) =>
      `Nix has the feature "${m[1]}" off. Add "experimental-features = nix-command flakes" to /etc/nix/nix.conf ` +
      '(or ~/.config/nix/nix.conf) and run the task again.',
  },
  {
    pattern: /(hosts\/[^/\s]+\/hardware-configuration\.nix) is still the placeholder/,
    explain: (m) => `${m[1]} is still the placeholder. On the machine, run "nixos-generate-config --show-hardware-config > ${m[1]}" and commit the file.`,
  },
  {
    pattern: /(?:getting status of|path) '\/nix\/store\/[a-z0-9]+-source\/([^']+)'(?::)? (?:No such file or directory|does not exist)/,
    explain: (m) => `The flake has no ${m[1]}: a flake sees only the files git tracks. Run "git add ${m[1]}" (or git add -A) and run the task again.`,
  },
];

/** A sentence with the fix for a known Nix failure, or undefined when stderr shows none. */
export function explainNixFailure(stderr: string): string | undefined {
  for (const { pattern, explain } of EXPLANATIONS) {
    const m = stderr.match(pattern);
    if (m) return explain(m);
  }
  return undefined;
}
