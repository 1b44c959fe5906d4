# Server role "docker": the Docker engine with log limits, live restore and weekly pruning.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.docker;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.roles.docker = {
    enable = mkEnableOption "the Docker role (engine, compose, pruning)";

    users = mkOption {
      type = types.listOf types.str;
      default = [ config.profiles.base.user.name ];
      defaultText = lib.literalExpression "[ config.profiles.base.user.name ]";
      description = "Users in the docker group. Membership is root-equivalent.";
    };

    storageDriver = mkOption {
      type = types.nullOr (
        types.enum [
          "overlay2"
          "btrfs"
          "zfs"
        ]
      );
      default = "overlay2";
      description = "Storage driver, pinned because Docker's own choice changes between versions.";
    };

    liveRestore = mkOption {
      type = types.bool;
      default = true;
      description = "Keep containers running while the daemon restarts (e.g. on a NixOS switch).";
    };

    autoPrune = {
      enable = mkEnableOption "periodic `docker system prune`" // {
        default = true;
      };
      dates = mkOption {
        type = types.str;
        default = "weekly";
        description = "When to prune, as a systemd calendar event.";
      };
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) {
    virtualisation.docker = {
      enable = true;
      inherit (cfg) storageDriver;
      autoPrune = {
        inherit (cfg.autoPrune) enable dates;
      };
      daemon.settings = {
        live-restore = cfg.liveRestore;
        # journald keeps container logs bounded and visible in journalctl.
        log-driver = "journald";
      };
    };

    environment.systemPackages = [ pkgs.docker-compose ];

    users.users = lib.genAttrs cfg.users (_: {
      extraGroups = [ "docker" ];
    });
  };
}
