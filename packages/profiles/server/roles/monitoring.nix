# Server role "monitoring": Prometheus scraping the fleet's node exporters, Grafana, Loki, and
# Alertmanager with the fleet's alert rules (lib/monitoring.nix). All but Alertmanager (this host
# only) bind to the fleet address.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server.roles.monitoring;
  inherit (config.profiles.fleet) hosts;
  monitoring = import ../../lib/monitoring.nix;
  fw = import ../../lib/firewall.nix;
  secretPath = import ../../lib/secret-path.nix;
  secretOption = name: nullable: secretPath.option { inherit types name nullable; };
  nodePort = config.profiles.server.roles.general.nodeExporter.port;
  # "[fd00::12]:9100" for an IPv6 targetHost: also the `instance` label the backup alerts name.
  instance = monitoring.scrapeTarget hosts nodePort;
  # Every server in host.json with a deployment address runs the general role's node exporter.
  fleetTargets = map instance (monitoring.scrapedHosts hosts);
  # This host's own address in host.json, when it is an IP address the services can bind to.
  ownAddress =
    let
      target = hosts.${config.networking.hostName}.deployment.targetHost or null;
      bare = if target == null then null else fw.unbracket target;
    in
    if bare != null && fw.parseAddress bare != null then bare else null;
  am = cfg.alertmanager;
  # "host:port" needs brackets around an IPv6 address.
  hostPart = if lib.hasInfix ":" (toString cfg.listenAddress) then "[${cfg.listenAddress}]" else cfg.listenAddress;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.roles.monitoring = {
    enable = mkEnableOption "the monitoring role (Prometheus, Grafana, Loki)";

    listenAddress = mkOption {
      type = types.nullOr types.str;
      default = ownAddress;
      defaultText = lib.literalMD "this host's `deployment.targetHost` in host.json, when it is an IP address";
      example = "10.0.10.14";
      description = ''
        The address Prometheus, Grafana and Loki listen on: the one the fleet
        reaches this host at, never every interface by default. `null` fails evaluation with the fix.
      '';
    };

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
        inherit (secretOption "profiles.server.roles.monitoring.grafana.secretKeyFile" false) type apply;
        default = "/var/lib/grafana/secret-key";
        description = ''
          File holding Grafana's signing key, read at start (never in the Nix store).
          Created with a random key on first start if missing; point it at a sops-nix
          secret (`config.sops.secrets.<name>.path`) to manage it yourself.
        '';
      };
      adminPasswordFile = mkOption {
        inherit (secretOption "profiles.server.roles.monitoring.grafana.adminPasswordFile" false) type apply;
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

    alerts = {
      diskPercent = mkOption {
        type = types.ints.between 1 100;
        default = 85;
        description = "Alert when a file system is fuller than this (percent).";
      };
      certificateDays = mkOption {
        type = types.ints.positive;
        default = 14;
        description = "Alert when a certificate (web role, ACME) expires within this many days.";
      };
      backupMaxAgeHours = mkOption {
        type = types.ints.positive;
        default = 36;
        description = "Alert when a host with the backup role has no successful backup this recent.";
      };
    };

    alertmanager = {
      port = mkOption {
        type = types.port;
        default = 9093;
        description = "Alertmanager port, on 127.0.0.1 only (`ssh -L 9093:127.0.0.1:9093` for its UI).";
      };
      webhookUrlFile = mkOption {
        inherit (secretOption "profiles.server.roles.monitoring.alertmanager.webhookUrlFile" true) type apply;
        default = null;
        example = lib.literalExpression "config.sops.secrets.alert-webhook-url.path";
        description = ''
          File holding the URL alerts are POSTed to (ntfy, Gotify, Matrix or chat webhooks):
          a sops-nix secret, handed to Alertmanager as a systemd credential.
        '';
      };
      email = {
        to = mkOption {
          type = types.nullOr types.str;
          default = null;
          example = "me@example.org";
          description = "Send alerts by e-mail to this address (with `from` and `smarthost`).";
        };
        from = mkOption {
          type = types.str;
          default = "alertmanager@${config.networking.hostName}";
          defaultText = lib.literalExpression ''"alertmanager@''${config.networking.hostName}"'';
          description = "Sender address of alert e-mails.";
        };
        smarthost = mkOption {
          type = types.str;
          default = "";
          example = "smtp.example.org:587";
          description = "SMTP server (host:port) alert e-mails are sent through, with STARTTLS.";
        };
        username = mkOption {
          type = types.nullOr types.str;
          default = null;
          description = "SMTP login, if the server wants one (with `passwordFile`).";
        };
        passwordFile = mkOption {
          inherit (secretOption "profiles.server.roles.monitoring.alertmanager.email.passwordFile" true) type apply;
          default = null;
          description = "File holding the SMTP password (a sops-nix secret), read as a systemd credential.";
        };
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
    assertions = [
      {
        assertion = cfg.listenAddress != null;
        message = "profiles.server.roles.monitoring.listenAddress: hosts/${config.networking.hostName}/host.json has no IP address in deployment.targetHost, so Prometheus, Grafana and Loki do not know which address the fleet reaches; set listenAddress to it.";
      }
      {
        assertion = am.email.to != null -> am.email.smarthost != "";
        message = "profiles.server.roles.monitoring.alertmanager.email.to needs email.smarthost (host:port of your SMTP server).";
      }
    ];

    warnings = lib.optional (am.webhookUrlFile == null && am.email.to == null) "${config.networking.hostName}: Alertmanager has no receiver, so alerts are only visible on Prometheus's Alerts page. Set profiles.server.roles.monitoring.alertmanager.webhookUrlFile or alertmanager.email.to (docs/Server-Deployment.md, Monitoring and alerts).";

    services.prometheus = {
      enable = true;
      listenAddress = hostPart;
      inherit (cfg.prometheus) port retentionTime;
      scrapeConfigs = [
        {
          job_name = "node";
          static_configs = [ { targets = cfg.scrapeTargets; } ];
        }
      ];
      # JSON is YAML: the rules file as lib/monitoring.nix builds it.
      rules = [
        (builtins.toJSON (
          monitoring.alertRules {
            inherit (cfg.alerts) diskPercent certificateDays backupMaxAgeHours;
            backupInstances = map instance (
              builtins.filter (name: builtins.elem "backup" (hosts.${name}.roles or [ ])) (
                monitoring.scrapedHosts hosts
              )
            );
          }
        ))
      ];
      alertmanagers = [
        { static_configs = [ { targets = [ "127.0.0.1:${toString am.port}" ]; } ]; }
      ];
    };

    # Secrets reach the DynamicUser service as systemd credentials, never through the store.
    # Only Prometheus, on this host, talks to Alertmanager: its API takes unauthenticated silences,
    # so anyone who reached it could mute every alert. Firing alerts show at Prometheus's /alerts.
    services.prometheus.alertmanager = {
      enable = true;
      listenAddress = "127.0.0.1";
      inherit (am) port;
      # One Alertmanager, no HA cluster: without this its gossip listens on port 9094 (TCP and
      # UDP) of every interface; an empty address turns clustering off.
      extraFlags = [ "--cluster.listen-address=" ];
      configuration = import ../alertmanager-config.nix {
        inherit (am) email;
        webhook = am.webhookUrlFile != null;
        credentials = "/run/credentials/alertmanager.service";
      };
    };
    systemd.services.alertmanager.serviceConfig.LoadCredential =
      lib.optional (am.webhookUrlFile != null) "webhook-url:${am.webhookUrlFile}"
      ++ lib.optional (am.email.passwordFile != null) "smtp-password:${am.email.passwordFile}";

    services.grafana = {
      enable = true;
      settings = {
        server = {
          http_addr = cfg.listenAddress;
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
            url = "http://${hostPart}:${toString cfg.prometheus.port}";
            isDefault = true;
          }
        ]
        ++ lib.optional cfg.loki.enable {
          name = "Loki";
          type = "loki";
          url = "http://${hostPart}:${toString cfg.loki.port}";
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
        inherit (cfg) listenAddress;
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
