# Server role "general": what every server runs, its metrics agent and automatic upgrades.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.general;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.roles.general = {
    enable = mkEnableOption "the general server role (node exporter, optional automatic upgrades)";

    nodeExporter = {
      port = mkOption {
        type = types.port;
        default = 9100;
        description = "Port of the Prometheus node exporter; the monitoring role scrapes it.";
      };

      openFirewall = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Open the node exporter port to the fleet only ({option}`profiles.fleet.firewall.fleetTCPPorts`),
          so the monitoring server can scrape it; it is never open to everyone.
        '';
      };

      collectors = mkOption {
        type = types.listOf types.str;
        default = [ "systemd" ];
        description = "Node exporter collectors enabled on top of its defaults.";
      };
    };

    autoUpgrade = {
      enable = mkEnableOption "unattended `nixos-rebuild switch` from a flake on a timer";

      flake = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "github:example/fleet";
        description = "Flake to upgrade from; the host's own attribute is picked by hostname.";
      };

      dates = mkOption {
        type = types.str;
        default = "04:00";
        description = "When to upgrade, as a systemd calendar event.";
      };

      allowReboot = mkOption {
        type = types.bool;
        default = false;
        description = "Reboot when the new generation has another kernel or initrd.";
      };
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) {
    assertions = [
      {
        assertion = cfg.autoUpgrade.enable -> cfg.autoUpgrade.flake != null;
        message = "profiles.server.roles.general.autoUpgrade needs autoUpgrade.flake set to the fleet's flake URL.";
      }
    ];

    services.prometheus.exporters.node = {
      enable = true;
      inherit (cfg.nodeExporter) port;
      # The exporter's own openFirewall would open the port to everyone.
      openFirewall = false;
      enabledCollectors = cfg.nodeExporter.collectors;
    };

    profiles.fleet.firewall.fleetTCPPorts = lib.optional cfg.nodeExporter.openFirewall cfg.nodeExporter.port;

    system.autoUpgrade = mkIf cfg.autoUpgrade.enable {
      enable = true;
      inherit (cfg.autoUpgrade) flake dates allowReboot;
    };
  };
}
