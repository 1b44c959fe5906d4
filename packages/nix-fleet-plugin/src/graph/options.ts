// Plugin options as written in nx.json, and their defaults.
export interface NixFleetPluginOptions {
  /** Target names, so a workspace can keep its own conventions. */
  buildTargetName?: string;
  closureSizeTargetName?: string;
  deployTargetName?: string;
  /** The flake that defines nixosConfigurations, relative to the workspace root. */
  flake?: string;
  /** More cache inputs for every host, e.g. "{workspaceRoot}/secrets/**". */
  extraInputs?: string[];
}

export type NormalizedPluginOptions = Required<NixFleetPluginOptions>;

export function normalizeOptions(options: NixFleetPluginOptions | undefined): NormalizedPluginOptions {
  return {
    buildTargetName: options?.buildTargetName ?? 'build',
    closureSizeTargetName: options?.closureSizeTargetName ?? 'closure-size',
    deployTargetName: options?.deployTargetName ?? 'deploy',
    flake: options?.flake ?? '.',
    extraInputs: options?.extraInputs ?? [],
  };
}
