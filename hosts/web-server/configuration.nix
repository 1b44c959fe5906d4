# web-server: Nginx in front of the homelab (role "web" from host.json); Proxmox VM.
{ config, lib, ... }:
let
  monitoring = config.profiles.fleet.hosts.monitoring-server.deployment.targetHost;
  # secrets/web-server.yaml, once committed (docs/Secrets.md): the backup repository.
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
      sopsFile = ../../secrets/web-server.yaml;
    };

    # Internal names (home.arpa) cannot get Let's Encrypt certificates, so ACME is off here.
    # Any other name, or the bare IP address, gets no answer (the role's default server).
    server.roles.web.virtualHosts = {
      "www.home.arpa" = {
        root = "/var/www/home";
        access = "public";
        acme = false;
      };
      # Grafana is fleet-only (its port is); so is its proxy: everyone else gets 403.
      "grafana.home.arpa" = {
        proxyPass = "http://${monitoring}:3000";
        access = "fleet";
        acme = false;
      };
    };

    # restic to a repository off this VM (docs/Homelab-Guide.md, "Backups and restore").
    server.roles.backup = lib.mkIf hasSecrets {
      repositoryFile = config.sops.secrets.restic-repository.path;
      passwordFile = config.sops.secrets.restic-password.path;
    };
  };

  sops.secrets.restic-repository = lib.mkIf hasSecrets { };
  sops.secrets.restic-password = lib.mkIf hasSecrets { };

  system.stateVersion = "25.05";
}
