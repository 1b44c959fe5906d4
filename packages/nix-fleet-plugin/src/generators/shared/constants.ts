// Values the generators write into new Nix files.

/** system.stateVersion of new hosts: the NixOS release the fleet's flake follows. */
export const STATE_VERSION = '25.05';
/** Relative path from hosts/<name>/host.json to the schema shipped in the plugin package. */
export const HOST_SCHEMA_REF = '../../node_modules/@nix-fleet/nx/host.schema.json';
