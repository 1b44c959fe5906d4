# Deploy targets (host.json has deployment.targetHost): key-only sshd, root by key when root deploys.
{ config, lib, ... }:
let
  cfg = config.profiles.deployTarget;
  inherit (lib) mkDefault mkIf mkOption types;
  isRoot = cfg.user == "root";
  host = config.networking.hostName;
  # The user ssh logs in as; null (no targetUser in host.json) cannot be checked here.
  account = if cfg.user == null then null else config.users.users.${cfg.user} or null;
  hasKey =
    account != null
    && (account.openssh.authorizedKeys.keys != [ ] || account.openssh.authorizedKeys.keyFiles != [ ]);
  allowUsers = config.services.openssh.settings.AllowUsers;
in
{
  options.profiles.deployTarget = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Whether this host is deployed to over SSH. Set from host.json by `lib/host-module.nix`:
        `true` when `deployment.targetHost` is there. A deploy target always runs sshd with
        keys only; turning {option}`services.openssh.enable` off fails evaluation.
      '';
    };

    user = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "root";
      description = ''
        The user deploys log in as (host.json `deployment.targetUser`). `"root"` permits root
        logins by key only and authorizes {option}`profiles.base.user.sshKeys` for root;
        any other user leaves root logins off. `null`: ssh uses your local user name.
      '';
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = config.services.openssh.enable;
        message = "${host} is a deploy target (deployment.targetHost in hosts/${host}/host.json) but services.openssh.enable is false: deploys could never reach it again. Remove that setting from hosts/${host}/configuration.nix, or remove deployment.targetHost from host.json.";
      }
      {
        assertion = allowUsers == null || cfg.user == null || lib.elem cfg.user allowUsers;
        message = "${host} deploys as \"${toString cfg.user}\" but services.openssh.settings.AllowUsers does not list it; add it to profiles.server.hardening.ssh.allowUsers (or AllowUsers).";
      }
    ];

    warnings =
      lib.optional (cfg.user == null)
        "${host}: hosts/${host}/host.json has no deployment.targetUser, so deploys log in with your local user name; set it to \"root\" or to profiles.base.user.name."
      ++ lib.optional (cfg.user != null && !hasKey)
        "${host}: deploys log in as ${cfg.user} but ${cfg.user} has no SSH key, so the first deploy will be refused. Add your public key (the line in ~/.ssh/id_ed25519.pub) to profiles.base.user.sshKeys in hosts/${host}/configuration.nix${lib.optionalString isRoot "; deploy targets authorize it for root too"}.";

    # mkDefault so a host that turns sshd off reaches the assertion above, not a merge conflict.
    services.openssh = {
      enable = mkDefault true;
      settings = {
        PasswordAuthentication = false;
        KbdInteractiveAuthentication = false;
        PermitRootLogin = if isRoot then "prohibit-password" else "no";
      };
    };

    profiles.base.user.allowRootDeploy = mkIf isRoot (mkDefault true);
  };
}
