// What --force keeps from the host.json it rewrites: the fields no generator flag sets.
import type { Tree } from '@nx/devkit';
import { NIXPKGS_BRANCHES, type HostDeployment, type HostJson } from '../../host/host-json';

/** Deployment settings the flags leave unset are kept; a flag's value replaces the old one. */
const KEPT_DEPLOYMENT = ['targetHost', 'targetUser', 'port', 'tags', 'sshOptions', 'buildOn', 'wave', 'healthChecks'] as const;

/**
 * `hostJson` (from the flags) plus budgets, disabledProfiles and every deployment setting the flags
 * leave unset, from the existing file, so regenerating a host (the .sops.yaml hint does) loses none of them.
 * A profile --profiles names (`requested`, a type's preset too) is no longer kept switched off.
 * Without --nixpkgs (`keepBranch`) the branch stays: a whole system moving release (a downgrade,
 * for a host on unstable) must be asked for, never the side effect of a type's default.
 * An unreadable file keeps nothing.
 */
export function withKeptFields(tree: Tree, file: string, hostJson: HostJson, requested: string[], keepBranch: boolean): HostJson {
  let old: Partial<HostJson>;
  try {
    old = JSON.parse(tree.read(file, 'utf-8') ?? 'null') ?? {};
  } catch {
    return hostJson;
  }
  if (typeof old !== 'object' || Array.isArray(old)) return hostJson;
  const deployment: HostDeployment = { ...hostJson.deployment };
  for (const key of KEPT_DEPLOYMENT) {
    if (deployment[key] === undefined && old.deployment?.[key] !== undefined) Object.assign(deployment, { [key]: old.deployment[key] });
  }
  const disabled = Array.isArray(old.disabledProfiles) ? old.disabledProfiles.filter((p) => !requested.includes(p)) : [];
  // An absent "nixpkgs" is unstable (the flake's default), whatever the type would get today.
  const oldBranch = old.nixpkgs ?? 'unstable';
  const branch = keepBranch && NIXPKGS_BRANCHES.includes(oldBranch) ? oldBranch : hostJson.nixpkgs;
  return {
    ...hostJson,
    nixpkgs: branch,
    ...(disabled.length > 0 ? { disabledProfiles: disabled } : {}),
    ...(Object.keys(deployment).length > 0 ? { deployment } : {}),
    ...(old.budgets !== undefined ? { budgets: old.budgets } : {}),
  };
}
