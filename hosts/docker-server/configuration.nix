# docker-server: containers and an NFS share (roles "docker" and "storage"); Proxmox VM.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key: deploys log in as root with it (allowRootDeploy).
    base.user.sshKeys = [ ];
    # No key yet: evaluation refuses a deploy target nobody could log in to. Add your public
    # key to base.user.sshKeys above, then delete this line.
    deployTarget.allowNoKey = true;

    server.roles.storage.exports = ''
      /srv/share 10.0.10.0/24(rw,sync,no_subtree_check)
    '';
  };

  system.stateVersion = "25.05";
}
