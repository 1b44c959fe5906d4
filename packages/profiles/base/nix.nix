# Base profile, Nix part: flakes, automatic GC and store optimisation, a bounded boot menu.
{ config, lib, ... }:
let
  cfg = config.profiles.base;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.base.nix = {
    gc = {
      enable = mkEnableOption "weekly garbage collection of old generations" // {
        default = true;
      };

      dates = mkOption {
        type = types.str;
        default = "weekly";
        description = "When garbage collection runs, as a systemd calendar event (`nix.gc.dates`).";
      };

      olderThan = mkOption {
        type = types.str;
        default = "30d";
        example = "14d";
        description = "Generations older than this are deleted before collecting (`--delete-older-than`).";
      };
    };

    optimise = mkEnableOption "periodic hard-linking of identical store files (`nix.optimise.automatic`)" // {
      default = true;
    };

    fleetCache = mkOption {
      type = types.nullOr (
        types.submodule {
          options = {
            url = mkOption {
              type = types.str;
              example = "https://cache.example.org";
              description = "The binary cache CI or a build host pushes the fleet's builds to (`nix copy --to`).";
            };
            publicKey = mkOption {
              type = types.str;
              example = "fleet-cache-1:AbCdEf...=";
              description = "Its signing key's public half (`nix key convert-secret-to-public`).";
            };
          };
        }
      );
      default = null;
      description = ''
        The fleet's own binary cache: every host substitutes from it besides cache.nixos.org
        (`extra-substituters`, `extra-trusted-public-keys`), so what CI built is downloaded,
        not built again. See docs/Scaling-Builds.md.
      '';
    };

    trustedUsers = mkOption {
      type = types.listOf types.str;
      default = [
        "root"
        "@wheel"
      ];
      description = "Users allowed to copy unsigned closures to this host (`nix copy`, deploys).";
    };
  };

  options.profiles.base.boot.configurationLimit = mkOption {
    type = types.ints.positive;
    default = 5;
    description = ''
      Generations kept in the systemd-boot menu; older ones stay reachable
      with `nixos-rebuild --rollback` until garbage-collected. Keeps /boot from filling up.
    '';
  };

  config = mkIf cfg.enable {
    nix.settings = {
      experimental-features = [
        "nix-command"
        "flakes"
      ];
      trusted-users = cfg.nix.trustedUsers;
      # "extra-": added to cache.nixos.org, never replacing it.
      extra-substituters = lib.optional (cfg.nix.fleetCache != null) cfg.nix.fleetCache.url;
      extra-trusted-public-keys = lib.optional (cfg.nix.fleetCache != null) cfg.nix.fleetCache.publicKey;
    };

    nix.gc = mkIf cfg.nix.gc.enable {
      automatic = true;
      inherit (cfg.nix.gc) dates;
      options = "--delete-older-than ${cfg.nix.gc.olderThan}";
    };

    nix.optimise.automatic = cfg.nix.optimise;

    # Only read when systemd-boot is the boot loader (set in hardware-configuration.nix).
    boot.loader.systemd-boot.configurationLimit = lib.mkDefault cfg.boot.configurationLimit;
  };
}
