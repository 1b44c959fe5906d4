# Server role "general": what every server runs: its metrics agent, its log shipper (Grafana
# Alloy, to the fleet's Loki) and automatic upgrades.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.general;
  monitoring = import ../../lib/monitoring.nix;
  lokiUrl = monitoring.lokiPushUrl {
    inherit (config.profiles.fleet) hosts;
    inherit (config.profiles.server.roles.monitoring.loki) port;
  };
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

    logs = {
      lokiUrl = mkOption {
        type = types.nullOr types.str;
        default = lokiUrl;
        defaultText = lib.literalMD "Loki on the first host in `hosts/*/host.json` with the `monitoring` role and an IP address";
        example = "http://10.0.10.14:3100/loki/api/v1/push";
        description = ''
          Where Grafana Alloy pushes this host's journal (Loki's push API). `null`: the fleet
          has no monitoring host, and no logs are shipped (evaluation warns).
        '';
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

    warnings = lib.optional (cfg.logs.lokiUrl == null) "${config.networking.hostName}: no host in hosts/*/host.json has the monitoring role and an IP address, so this server's journal is shipped nowhere; set profiles.server.roles.general.logs.lokiUrl.";

    services.prometheus.exporters.node = {
      enable = true;
      inherit (cfg.nodeExporter) port;
      # The exporter's own openFirewall would open the port to everyone.
      openFirewall = false;
      # textfile: backups and certificates report their age through files (lib/monitoring.nix).
      enabledCollectors = cfg.nodeExporter.collectors ++ [ "textfile" ];
      extraFlags = [ "--collector.textfile.directory=${monitoring.textfileDir}" ];
    };
    systemd.tmpfiles.rules = [ "d ${monitoring.textfileDir} 0755 root root -" ];

    # Alloy, not Promtail: Grafana deprecated Promtail (end of life March 2026) for Alloy, and
    # nixpkgs keeps services.alloy current; Alloy reads the journal through systemd-journal.
    services.alloy.enable = cfg.logs.lokiUrl != null;
    environment.etc."alloy/config.alloy" = mkIf (cfg.logs.lokiUrl != null) {
      text = monitoring.alloyConfig {
        host = config.networking.hostName;
        url = cfg.logs.lokiUrl;
      };
    };

    profiles.fleet.firewall.fleetTCPPorts = lib.optional cfg.nodeExporter.openFirewall cfg.nodeExporter.port;

    system.autoUpgrade = mkIf cfg.autoUpgrade.enable {
      enable = true;
      inherit (cfg.autoUpgrade) flake dates allowReboot;
    };
  };
}
