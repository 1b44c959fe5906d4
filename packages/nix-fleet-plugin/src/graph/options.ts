// Plugin options as written in nx.json, and their defaults.
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
  /** The flake that defines nixosConfigurations, relative to the workspace root. */
  flake?: string;
  /** More cache inputs for every host (every tracked file already is one, see shared-inputs.ts). */
  extraInputs?: string[];
  /**
   * Workspace-relative globs that are no input of any host's build, after the defaults (dist,
   * docs, Markdown, other hosts' folders). Only for files the flake cannot read: a missed input
   * is a stale build.
   */
  excludeInputs?: string[];
}

export type NormalizedPluginOptions = Required<NixFleetPluginOptions>;

export function normalizeOptions(options: NixFleetPluginOptions | undefined): NormalizedPluginOptions {
  return {
    evalTargetName: options?.evalTargetName ?? 'eval',
    buildTargetName: options?.buildTargetName ?? 'build',
    closureSizeTargetName: options?.closureSizeTargetName ?? 'closure-size',
    deployTargetName: options?.deployTargetName ?? 'deploy',
    rollbackTargetName: options?.rollbackTargetName ?? 'rollback',
    generationsTargetName: options?.generationsTargetName ?? 'generations',
    execTargetName: options?.execTargetName ?? 'exec',
    flake: options?.flake ?? '.',
    extraInputs: options?.extraInputs ?? [],
    excludeInputs: options?.excludeInputs ?? [],
  };
}
