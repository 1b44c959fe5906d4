# database-server: PostgreSQL for the homelab plus a Redis cache (role "database"); Proxmox VM.
{ config, lib, ... }:
let
  # secrets/database-server.yaml, once committed (docs/Secrets.md); until then the role "app"
  # has no password and only local peer logins work.
  hasSecrets = config.profiles.secrets.available;
in
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];

    secrets = {
      enable = true;
      sopsFile = ../../secrets/database-server.yaml;
    };

    server.roles.database = {
      postgresql = {
        databases = [ "app" ];
        # Password logins (scram-sha-256) from the homelab subnet; the firewall admits the fleet only.
        allowedNetworks = [ "10.0.10.0/24" ];
        passwordFiles = lib.mkIf hasSecrets { app = config.sops.secrets.postgresql-app-password.path; };
      };
      redis.enable = true;
    };
  };

  sops.secrets.postgresql-app-password = lib.mkIf hasSecrets {
    owner = "postgres";
    restartUnits = [ "postgresql-passwords.service" ];
  };

  system.stateVersion = "25.05";
}
