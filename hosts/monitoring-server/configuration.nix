# monitoring-server: Prometheus, Grafana and Loki (role "monitoring"); Proxmox VM.
# Prometheus scrapes every server in hosts/*/host.json by default (roles.monitoring.scrapeTargets).
{ config, lib, ... }:
let
  # secrets/monitoring-server.yaml, once committed (docs/Secrets.md); until then Grafana's
  # admin password is generated on the machine: sudo cat /var/lib/grafana/admin-password
  hasSecrets = config.profiles.secrets.available;
in
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];
    # No key yet: evaluation refuses a deploy target nobody could log in to. Add your public
    # key to base.user.sshKeys above, then delete this line.
    deployTarget.allowNoKey = true;

    secrets = {
      enable = true;
      sopsFile = ../../secrets/monitoring-server.yaml;
    };

    server.roles.monitoring.grafana = {
      domain = "grafana.home.arpa";
      adminPasswordFile = lib.mkIf hasSecrets config.sops.secrets.grafana-admin-password.path;
    };
    # Alerts POSTed to a webhook (ntfy, Gotify, a chat); its URL is a secret.
    server.roles.monitoring.alertmanager.webhookUrlFile = lib.mkIf hasSecrets config.sops.secrets.alert-webhook-url.path;

    # restic to a repository off this VM; until the secrets exist nothing is backed up (warning,
    # and Alertmanager's BackupMissing alert). docs/Homelab-Guide.md, "Backups and restore".
    server.roles.backup = lib.mkIf hasSecrets {
      repositoryFile = config.sops.secrets.restic-repository.path;
      passwordFile = config.sops.secrets.restic-password.path;
    };
  };

  sops.secrets.grafana-admin-password = lib.mkIf hasSecrets {
    owner = "grafana";
    restartUnits = [ "grafana.service" ];
  };

  sops.secrets.alert-webhook-url = lib.mkIf hasSecrets { };
  sops.secrets.restic-repository = lib.mkIf hasSecrets { };
  sops.secrets.restic-password = lib.mkIf hasSecrets { };

  system.stateVersion = "25.05";
}
