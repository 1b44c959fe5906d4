# Base profile, user part: the primary user as options, so nothing personal is hard-coded.
{ config, lib, ... }:
let
  cfg = config.profiles.base;
  passwordFile = (import ../lib/secret-path.nix).option {
    inherit types;
    name = "profiles.base.user.hashedPasswordFile";
    nullable = true;
  };
  inherit (lib) mkIf mkOption types;
in
{
  options.profiles.base.user = {
    name = mkOption {
      type = types.str;
      default = "admin";
      example = "alice";
      description = "Login name of the primary user; Home Manager profiles apply to this user.";
    };

    description = mkOption {
      type = types.str;
      default = "";
      example = "Alice Liddell";
      description = "Full name (GECOS field) of the primary user.";
    };

    sshKeys = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop" ];
      description = "Public SSH keys allowed to log in as the primary user.";
    };

    hashedPasswordFile = mkOption {
      inherit (passwordFile) type apply;
      default = null;
      example = lib.literalExpression "config.sops.secrets.admin-password.path";
      description = ''
        File holding the primary user's password hash (`mkpasswd -m yescrypt`), read on every
        activation (`users.users.<name>.hashedPasswordFile`): the way to give a desktop user a
        password from sops-nix (a secret with `neededForUsers = true`). `null` sets no password:
        set one once with `passwd` (Homelab-Guide.md, "A first password"); SSH stays key-only.
      '';
    };

    extraGroups = mkOption {
      type = types.listOf types.str;
      default = [ "wheel" ];
      description = "Groups of the primary user; other profiles add theirs (docker, networkmanager).";
    };

    allowRootDeploy = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Also authorize {option}`profiles.base.user.sshKeys` for root, so deploys with
        `targetUser: "root"` in host.json work. Root still never logs in with a password.
        Switched on for servers (`profiles.machineType`) and for every deploy target whose
        host.json says `targetUser: "root"` (`profiles.deployTarget`).
      '';
    };
  };

  config = mkIf cfg.enable {
    users.users.${cfg.user.name} = {
      isNormalUser = true;
      inherit (cfg.user) description extraGroups hashedPasswordFile;
      openssh.authorizedKeys.keys = cfg.user.sshKeys;
    };

    users.users.root.openssh.authorizedKeys.keys = mkIf cfg.user.allowRootDeploy cfg.user.sshKeys;
  };
}
