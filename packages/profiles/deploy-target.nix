# Deploy targets (host.json has deployment.targetHost): key-only sshd, root by key when root deploys,
# open to the fleet only unless the host is a server, on the port deploys connect to.
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
  keyProblem = import ./lib/deploy-keys.nix {
    name = host;
    inherit (cfg) user allowNoKey;
    keys =
      if account == null then
        config.profiles.base.user.sshKeys
      else
        account.openssh.authorizedKeys.keys ++ account.openssh.authorizedKeys.keyFiles;
  };
  sshPorts = config.services.openssh.ports;
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

    port = mkOption {
      type = types.port;
      default = 22;
      description = "The port deploys connect to (host.json `deployment.port`); sshd must listen on it.";
    };

    sshOpenTo = mkOption {
      type = types.enum [
        "everyone"
        "fleet"
      ];
      default = "fleet";
      description = ''
        Who may reach sshd: `"everyone"` (servers, with fail2ban) or `"fleet"` (every other
        deploy target: a laptop joins networks that are not yours). Set from host.json `type`.
      '';
    };

    allowNoKey = mkOption {
      type = types.bool;
      default = false;
      description = ''
        Let this deploy target evaluate although the deploy user has no SSH key. Without a key
        nobody can log in after install, so evaluation fails unless this says it is meant.
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
        assertion = keyProblem == null;
        message = toString keyProblem;
      }
      {
        assertion = lib.elem cfg.port sshPorts;
        message = "${host}: hosts/${host}/host.json deploys to port ${toString cfg.port} but sshd listens on ${lib.concatMapStringsSep ", " toString sshPorts} (services.openssh.ports); set deployment.port to one of them or profiles.server.hardening.ssh.port to ${toString cfg.port}.";
      }
      {
        assertion = allowUsers == null || cfg.user == null || lib.elem cfg.user allowUsers;
        message = "${host} deploys as \"${toString cfg.user}\" but services.openssh.settings.AllowUsers does not list it; add it to profiles.server.hardening.ssh.allowUsers (or AllowUsers).";
      }
    ];

    warnings =
      lib.optional (cfg.user == null)
        "${host}: hosts/${host}/host.json has no deployment.targetUser, so deploys log in with your local user name; set it to \"root\" or to profiles.base.user.name."
      ++ lib.optional (cfg.allowNoKey && !hasKey)
        "${host}: profiles.deployTarget.allowNoKey is set and ${toString cfg.user} has no SSH key here; make sure one reaches the host another way.";

    # mkDefault so a host that turns sshd off reaches the assertion above, not a merge conflict.
    services.openssh = {
      enable = mkDefault true;
      # nixpkgs opens sshd to everyone by default; only servers keep that (hardening.nix).
      openFirewall = mkDefault (cfg.sshOpenTo == "everyone");
      settings = {
        PasswordAuthentication = false;
        KbdInteractiveAuthentication = false;
        PermitRootLogin = if isRoot then "prohibit-password" else "no";
      };
    };

    profiles.base.user.allowRootDeploy = mkIf isRoot (mkDefault true);

    profiles.fleet.firewall.fleetTCPPorts = mkIf (cfg.sshOpenTo == "fleet") sshPorts;
    # Where SSH is fleet-only too: a fleet address can be a café's NAT for a laptop. Servers get
    # fail2ban from server/hardening.nix, which a host may switch off there.
    services.fail2ban.enable = mkIf (cfg.sshOpenTo == "fleet") (mkDefault true);
  };
}
