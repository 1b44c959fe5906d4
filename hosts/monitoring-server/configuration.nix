# monitoring-server: Prometheus, Grafana and Loki (role "monitoring"); Proxmox VM.
# Prometheus scrapes every server in hosts/*/host.json by default (roles.monitoring.scrapeTargets).
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];

    server.roles.monitoring.grafana.domain = "grafana.home.arpa";
  };

  system.stateVersion = "25.05";
}
