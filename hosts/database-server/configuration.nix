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
    # No key yet: evaluation refuses a deploy target nobody could log in to. Add your public
    # key to base.user.sshKeys above, then delete this line.
    deployTarget.allowNoKey = true;

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

    # restic to a repository off this VM; until the secrets exist nothing is backed up (warning,
    # and Alertmanager's BackupMissing alert). docs/Homelab-Guide.md, "Backups and restore".
    server.roles.backup = lib.mkIf hasSecrets {
      repositoryFile = config.sops.secrets.restic-repository.path;
      passwordFile = config.sops.secrets.restic-password.path;
    };
  };

  sops.secrets.postgresql-app-password = lib.mkIf hasSecrets {
    owner = "postgres";
    restartUnits = [ "postgresql-passwords.service" ];
  };

  sops.secrets.restic-repository = lib.mkIf hasSecrets { };
  sops.secrets.restic-password = lib.mkIf hasSecrets { };

  system.stateVersion = "25.05";
}
