# database-server: PostgreSQL for the homelab plus a Redis cache (role "database"); Proxmox VM.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];

    server.roles.database = {
      postgresql = {
        databases = [ "app" ];
        # Only the homelab subnet may connect, with a password.
        allowedNetworks = [ "10.0.10.0/24" ];
      };
      redis.enable = true;
    };
  };

  system.stateVersion = "25.05";
}
