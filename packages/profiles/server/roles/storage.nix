# Server role "storage": an NFS server for the homelab, with optional disk health monitoring.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.storage;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.roles.storage = {
    enable = mkEnableOption "the storage role (NFS exports)";

    exports = mkOption {
      type = types.lines;
      default = "";
      example = "/srv/share 10.0.10.0/24(rw,sync,no_subtree_check)";
      description = "Lines of /etc/exports, see exports(5).";
    };

    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = "Open TCP 2049 for NFSv4 clients of the fleet only ({option}`profiles.fleet.firewall.fleetTCPPorts`).";
    };

    smartd.enable = mkEnableOption "S.M.A.R.T. disk monitoring (only useful on bare metal or with passed-through disks)";
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) {
    services.nfs.server = {
      enable = true;
      inherit (cfg) exports;
      # Exported directories must exist before nfsd starts.
      createMountPoints = true;
    };

    services.smartd.enable = cfg.smartd.enable;

    profiles.fleet.firewall.fleetTCPPorts = lib.optionals cfg.openFirewall [ 2049 ];
  };
}
