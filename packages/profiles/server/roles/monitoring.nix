# Server role "monitoring": Prometheus scraping the fleet's node exporters, Grafana, Loki.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.monitoring;
  nodePort = toString config.profiles.server.roles.general.nodeExporter.port;
  # Every server in host.json with a deployment address runs the general role's node exporter.
  fleetTargets = lib.mapAttrsToList (_: host: "${host.deployment.targetHost}:${nodePort}") (
    lib.filterAttrs (
      _: host: host.type == "server" && host ? deployment.targetHost
    ) config.profiles.fleet.hosts
  );
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.roles.monitoring = {
    enable = mkEnableOption "the monitoring role (Prometheus, Grafana, Loki)";

    scrapeTargets = mkOption {
      type = types.listOf types.str;
      default = fleetTargets;
      defaultText = lib.literalMD "`<targetHost>:<node exporter port>` of every `server` in `hosts/*/host.json`";
      example = [ "10.0.10.11:9100" ];
      description = "Node exporters Prometheus scrapes (host:port).";
    };

    prometheus = {
      port = mkOption {
        type = types.port;
        default = 9090;
        description = "Prometheus port.";
      };
      retentionTime = mkOption {
        type = types.str;
        default = "30d";
        description = "How long Prometheus keeps samples.";
      };
    };

    grafana = {
      port = mkOption {
        type = types.port;
        default = 3000;
        description = "Grafana port.";
      };
      domain = mkOption {
        type = types.str;
        default = config.networking.hostName;
        defaultText = lib.literalExpression "config.networking.hostName";
        description = "Name users type to reach Grafana.";
      };
      secretKeyFile = mkOption {
        type = types.str;
        default = "/var/lib/grafana/secret-key";
        description = ''
          File holding Grafana's signing key, read at start (never in the Nix store).
          Created with a random key on first start if missing; point it at a sops-nix
          secret (`config.sops.secrets.<name>.path`) to manage it yourself.
        '';
      };
      adminPasswordFile = mkOption {
        type = types.str;
        default = "/var/lib/grafana/admin-password";
        example = lib.literalExpression "config.sops.secrets.grafana-admin-password.path";
        description = ''
          File holding the password of Grafana's `admin` user, read through Grafana's
          `$__file{}` provider (never in the Nix store, never the default "admin"). Created
          with a random password on first start if missing (`sudo cat` it to log in), or
          point it at a sops-nix secret owned by `grafana` (docs/Secrets.md). Grafana applies
          it when it creates the admin user, on first start only; change it later in the UI
          or with `grafana cli admin reset-admin-password`.
        '';
      };
    };

    loki = {
      enable = mkEnableOption "Loki, the log store Grafana queries" // {
        default = true;
      };
      port = mkOption {
        type = types.port;
        default = 3100;
        description = "Loki HTTP port, where log shippers push.";
      };
      retentionPeriod = mkOption {
        type = types.str;
        default = "744h";
        description = "How long Loki keeps logs (31 days by default).";
      };
    };

    openFirewall = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Open the Grafana, Prometheus and Loki ports to the fleet only
        ({option}`profiles.fleet.firewall.fleetTCPPorts`: every host's address and
        {option}`profiles.fleet.subnets`), never to everyone. Loki has no authentication.
      '';
    };
  };

  config = mkIf (config.profiles.server.enable && cfg.enable) {
    services.prometheus = {
      enable = true;
      inherit (cfg.prometheus) port retentionTime;
      scrapeConfigs = [
        {
          job_name = "node";
          static_configs = [ { targets = cfg.scrapeTargets; } ];
        }
      ];
    };

    services.grafana = {
      enable = true;
      settings = {
        server = {
          http_addr = "0.0.0.0";
          http_port = cfg.grafana.port;
          inherit (cfg.grafana) domain;
        };
        # Grafana's file provider keeps the key and the password out of the world-readable store.
        security.secret_key = "$__file{${cfg.grafana.secretKeyFile}}";
        security.admin_password = "$__file{${cfg.grafana.adminPasswordFile}}";
      };
      provision = {
        enable = true;
        datasources.settings.datasources = [
          {
            name = "Prometheus";
            type = "prometheus";
            url = "http://127.0.0.1:${toString cfg.prometheus.port}";
            isDefault = true;
          }
        ]
        ++ lib.optional cfg.loki.enable {
          name = "Loki";
          type = "loki";
          url = "http://127.0.0.1:${toString cfg.loki.port}";
        };
      };
    };

    systemd.services.grafana.preStart = lib.mkBefore ''
      if [ ! -s ${cfg.grafana.secretKeyFile} ]; then
        (umask 077; printf %s "$(${pkgs.openssl}/bin/openssl rand -hex 32)" > ${cfg.grafana.secretKeyFile})
      fi
      if [ ! -s ${cfg.grafana.adminPasswordFile} ]; then
        (umask 077; printf %s "$(${pkgs.openssl}/bin/openssl rand -base64 18)" > ${cfg.grafana.adminPasswordFile})
      fi
    '';

    services.loki = mkIf cfg.loki.enable {
      enable = true;
      configuration = import ../loki-config.nix {
        inherit (cfg.loki) port retentionPeriod;
        inherit (config.services.loki) dataDir;
      };
    };

    profiles.fleet.firewall.fleetTCPPorts = lib.optionals cfg.openFirewall (
      [
        cfg.grafana.port
        cfg.prometheus.port
      ]
      ++ lib.optional cfg.loki.enable cfg.loki.port
    );
  };
}
