// What --force keeps from the host.json it rewrites: the fields no generator flag sets.
import type { Tree } from '@nx/devkit';
import type { HostDeployment, HostJson } from '../../host/host-json';

/** Deployment settings without a flag; targetHost, targetUser, port and tags follow the flags. */
const KEPT_DEPLOYMENT = ['sshOptions', 'buildOn', 'wave', 'healthChecks'] as const;

/**
 * `hostJson` (from the flags) plus budgets, disabledProfiles and the flagless deployment settings
 * of the existing file, so regenerating a host (the .sops.yaml hint does) loses none of them.
 * A profile --profiles names (`requested`, a type's preset too) is no longer kept switched off. An unreadable file keeps nothing.
 */
export function withKeptFields(tree: Tree, file: string, hostJson: HostJson, requested: string[]): HostJson {
  let old: Partial<HostJson>;
  try {
    old = JSON.parse(tree.read(file, 'utf-8') ?? 'null') ?? {};
  } catch {
    return hostJson;
  }
  if (typeof old !== 'object' || Array.isArray(old)) return hostJson;
  const deployment: HostDeployment = { ...hostJson.deployment };
  for (const key of KEPT_DEPLOYMENT) {
    if (old.deployment?.[key] !== undefined) Object.assign(deployment, { [key]: old.deployment[key] });
  }
  const disabled = Array.isArray(old.disabledProfiles) ? old.disabledProfiles.filter((p) => !requested.includes(p)) : [];
  return {
    ...hostJson,
    ...(disabled.length > 0 ? { disabledProfiles: disabled } : {}),
    ...(Object.keys(deployment).length > 0 ? { deployment } : {}),
    ...(old.budgets !== undefined ? { budgets: old.budgets } : {}),
  };
}
