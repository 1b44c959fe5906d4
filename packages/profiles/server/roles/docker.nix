# Server role "docker": the Docker engine with log limits, live restore and weekly pruning.
# Published ports bind to 127.0.0.1 unless declared public or fleet-only below (lib/docker.nix).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.docker;
  docker = import ../../lib/docker.nix;
  inherit (config.profiles.fleet) sources;
  # One iptables call per rule: Docker's own chains live in iptables (nft-backed or not).
  chainScript =
    cmd: srcs:
    lib.concatMapStringsSep "\n" (args: "${cmd} -w ${lib.escapeShellArgs args}") (
      docker.userChainRules {
        sources = srcs;
        inherit (cfg.ports) publicTCPPorts fleetTCPPorts;
      }
    );
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

    ports = {
      publicTCPPorts = mkOption {
        type = types.listOf types.port;
        default = [ ];
        example = [ 8443 ];
        description = ''
          Container ports (the host side of `-p`) that everyone may reach. Publish them on an
          address, e.g. `-p 0.0.0.0:8443:443`: a bare `-p 8443:443` binds to 127.0.0.1.
          Forwarded traffic into a container bridge (`docker0`, `br-*`) to any port not listed
          here or in `fleetTCPPorts` is dropped; other traffic this host routes is left alone.
        '';
      };
      fleetTCPPorts = mkOption {
        type = types.listOf types.port;
        default = [ ];
        example = [ 8080 ];
        description = ''
          Container ports only the fleet may reach (the sources of
          {option}`profiles.fleet.firewall.fleetTCPPorts`); publish them on an address as above.
        '';
      };
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
      daemon.settings = docker.daemonSettings { inherit (cfg) liveRestore; };
    };

    # DOCKER-USER exists once dockerd runs, and dockerd recreates it on restart: refill it then.
    systemd.services.docker-fleet-firewall = {
      description = "Forwarding rules for published container ports (DOCKER-USER)";
      after = [ "docker.service" ];
      bindsTo = [ "docker.service" ];
      wantedBy = [ "docker.service" ];
      path = [ pkgs.iptables ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
      };
      script = ''
        set -eu
        iptables -w -N DOCKER-USER 2>/dev/null || true
        ${chainScript "iptables" sources.ipv4}
        if ip6tables -w -L DOCKER-USER -n >/dev/null 2>&1; then
          ${chainScript "ip6tables" sources.ipv6}
        fi
      '';
    };

    # Docker programs its NAT and DOCKER-USER through iptables; NixOS's nftables module turns the
    # iptables kernel module off. Above the server profile's mkDefault, below a host's own choice.
    networking.nftables.enable = lib.mkOverride 900 false;

    environment.systemPackages = [ pkgs.docker-compose ];

    users.users = lib.genAttrs cfg.users (_: {
      extraGroups = [ "docker" ];
    });
  };
}
