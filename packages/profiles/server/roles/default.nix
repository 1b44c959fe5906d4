# Imports every role beside this file (one role a file), and refuses roles on a non-server.
{ config, lib, ... }:
let
  enabledRoles = builtins.filter (role: config.profiles.server.roles.${role}.enable) (
    builtins.attrNames config.profiles.server.roles
  );
in
{
  imports = import ../../lib/import-dir.nix { dir = ./.; };

  # Roles only act with the server profile on; without this a role would be silently ignored.
  config.assertions = map (role: {
    assertion = config.profiles.server.enable;
    message = "profiles.server.roles.${role} needs profiles.server.enable = true; give the host type \"server\" in host.json or set profiles.server.enable.";
  }) enabledRoles;
}
