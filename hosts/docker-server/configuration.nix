# docker-server: containers and an NFS share (roles "docker" and "storage"); Proxmox VM.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];

    server.roles.storage.exports = ''
      /srv/share 10.0.10.0/24(rw,sync,no_subtree_check)
    '';
  };

  system.stateVersion = "25.05";
}
