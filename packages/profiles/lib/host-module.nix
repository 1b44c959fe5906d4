# Turns one host.json record into the NixOS settings it implies (hostname, platform, profiles, sshd).
{
  # Folder name under hosts/.
  name,
  # That folder's parsed host.json.
  host,
  # Every host's record, so a host can see the fleet (e.g. monitoring targets).
  hosts,
}:
{ lib, ... }:
let
  # "power-user" -> profiles."power-user".enable; "development.languages.rust" also works.
  enableProfile = path: lib.setAttrByPath (lib.splitString "." path ++ [ "enable" ]) (lib.mkDefault true);
  # host.json "disabledProfiles": a plain false, so it wins over the type's mkDefault presets.
  disableProfile = path: lib.setAttrByPath (lib.splitString "." path ++ [ "enable" ]) false;
in
{
  networking.hostName = lib.mkDefault name;
  nixpkgs.hostPlatform = host.system;
  # mkDefault: configuration.nix may switch a profile from host.json off again.
  profiles = lib.mkMerge (
    [
      {
        machineType = host.type;
        fleet.hosts = hosts;
        # Not mkDefault: a deploy target cannot quietly stop being one (see deploy-target.nix).
        deployTarget = import ./deploy-target.nix host;
      }
      # A typo in a role name fails evaluation: roles are typed options, not strings.
      { server.roles = lib.genAttrs (host.roles or [ ]) (_: { enable = true; }); }
    ]
    ++ map enableProfile (host.profiles or [ ])
    ++ map disableProfile (host.disabledProfiles or [ ])
  );
}
