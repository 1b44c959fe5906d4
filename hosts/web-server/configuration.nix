# web-server: Nginx in front of the homelab (role "web" from host.json); Proxmox VM.
{ config, ... }:
let
  monitoring = config.profiles.fleet.hosts.monitoring-server.deployment.targetHost;
in
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];

    # Internal names (home.arpa) cannot get Let's Encrypt certificates, so ACME is off here.
    server.roles.web.virtualHosts = {
      "www.home.arpa" = {
        root = "/var/www/home";
        acme = false;
      };
      "grafana.home.arpa" = {
        proxyPass = "http://${monitoring}:3000";
        acme = false;
      };
    };
  };

  system.stateVersion = "25.05";
}
