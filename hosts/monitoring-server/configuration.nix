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

    secrets = {
      enable = true;
      sopsFile = ../../secrets/monitoring-server.yaml;
    };

    server.roles.monitoring.grafana = {
      domain = "grafana.home.arpa";
      adminPasswordFile = lib.mkIf hasSecrets config.sops.secrets.grafana-admin-password.path;
    };
  };

  sops.secrets.grafana-admin-password = lib.mkIf hasSecrets {
    owner = "grafana";
    restartUnits = [ "grafana.service" ];
  };

  system.stateVersion = "25.05";
}
