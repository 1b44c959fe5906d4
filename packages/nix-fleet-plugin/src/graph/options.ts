// Plugin options as written in nx.json, and their defaults.
import { TARGET_NAME_DEFAULTS, type TargetNameOption } from '../constants';
import { knownName, unknownOptionMessage } from '../host/option-names';

export interface NixFleetPluginOptions {
  /** Target names, so a workspace can keep its own conventions. */
  evalTargetName?: string;
  buildTargetName?: string;
  closureSizeTargetName?: string;
  deployTargetName?: string;
  /** Day-two operations (docs/Operations.md). */
  rollbackTargetName?: string;
  generationsTargetName?: string;
  execTargetName?: string;
  /** A machine's first day: install, and trying the host in a local VM (docs/Homelab-Guide.md). */
  installTargetName?: string;
  detectHardwareTargetName?: string;
  vmTargetName?: string;
  vmBuildTargetName?: string;
  /** The flake that defines nixosConfigurations, relative to the workspace root. */
  flake?: string;
  /** More cache inputs for every host (every tracked file already is one, see shared-inputs.ts). */
  extraInputs?: string[];
  /**
   * Workspace-relative globs to leave out of every host's eval inputs, after the defaults (dist,
   * docs, Markdown, other hosts' folders), each only while no .nix file reaches it
   * (graph/nix-reach.ts): a missed input is a stale build.
   */
  excludeInputs?: string[];
  /**
   * Let host.json name this machine (localhost, 127.0.0.0/8, ::1, its own names and addresses)
   * as a deploy target; without it such a host needs --local. Read by the executors from nx.json.
   */
  allowLocalTargets?: boolean;
}

export type NormalizedPluginOptions = Required<NixFleetPluginOptions>;

const TARGET_NAME_OPTIONS = Object.keys(TARGET_NAME_DEFAULTS) as TargetNameOption[];

/** Two targets under one name would silently replace one with the other (or chain them in a cycle). */
function checkTargetNames(o: NormalizedPluginOptions): void {
  const seen = new Map<string, string>();
  for (const option of TARGET_NAME_OPTIONS) {
    const name = o[option];
    if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9:_.-]*$/.test(name)) {
      throw new Error(`nix-fleet plugin option ${option} is ${JSON.stringify(name)}: give it a target name (letters, digits, "-", "_", ".", ":") in nx.json.`);
    }
    const other = seen.get(name);
    if (other) throw new Error(`nix-fleet plugin options ${other} and ${option} are both "${name}": give each target its own name in nx.json.`);
    seen.set(name, option);
  }
}

const OPTION_NAMES = [...TARGET_NAME_OPTIONS, 'flake', 'extraInputs', 'excludeInputs', 'allowLocalTargets'] as const;

/** camelCase or kebab-case, as executor options; an unknown name is refused, not ignored. */
function spelledOptions(options: Record<string, unknown> | undefined): NixFleetPluginOptions {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    const name = knownName(key, OPTION_NAMES);
    if (!name) throw new Error(`${unknownOptionMessage(key, OPTION_NAMES, 'the nix-fleet plugin in nx.json', '')}`);
    if (name in out) throw new Error(`nix-fleet plugin options in nx.json name ${name} twice (${key}): keep one.`);
    out[name] = value;
  }
  return out;
}

export function normalizeOptions(given: NixFleetPluginOptions | undefined): NormalizedPluginOptions {
  const options = spelledOptions(given as Record<string, unknown> | undefined);
  const normalized: NormalizedPluginOptions = {
    ...(Object.fromEntries(TARGET_NAME_OPTIONS.map((o) => [o, options[o] ?? TARGET_NAME_DEFAULTS[o]])) as Record<TargetNameOption, string>),
    flake: options.flake ?? '.',
    extraInputs: options.extraInputs ?? [],
    excludeInputs: options.excludeInputs ?? [],
    allowLocalTargets: options.allowLocalTargets ?? false,
  };
  checkTargetNames(normalized);
  if (typeof normalized.allowLocalTargets !== 'boolean') {
    throw new Error(`nix-fleet plugin option allowLocalTargets is ${JSON.stringify(normalized.allowLocalTargets)}: give true or false in nx.json.`);
  }
  return normalized;
}
