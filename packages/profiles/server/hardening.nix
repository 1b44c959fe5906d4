# Server hardening: SSH by key only, fail2ban, AppArmor, and conservative kernel network settings.
{ config, lib, ... }:
let
  server = config.profiles.server;
  cfg = server.hardening;
  inherit (lib) mkDefault mkIf mkEnableOption mkOption types;
in
{
  options.profiles.server.hardening = {
    enable = mkEnableOption "server hardening (SSH, fail2ban, AppArmor, sysctl)" // {
      default = true;
    };

    ssh = {
      port = mkOption {
        type = types.port;
        default = 22;
        description = "Port sshd listens on; host.json `deployment.port` must be this port (evaluation checks it).";
      };

      allowUsers = mkOption {
        type = types.nullOr (types.listOf types.str);
        default = null;
        example = [
          "root"
          "admin"
        ];
        description = "If set, only these users may log in over SSH (`AllowUsers`); `null` allows all.";
      };
    };

    fail2ban = {
      enable = mkEnableOption "fail2ban, banning addresses that keep failing SSH logins" // {
        default = true;
      };

      maxRetry = mkOption {
        type = types.ints.unsigned;
        default = 5;
        description = "Failures before an address is banned.";
      };

      banTime = mkOption {
        type = types.str;
        default = "1h";
        description = "First ban length; repeat offenders get longer bans (bantime increment is on).";
      };

      ignoreIP = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [ "10.0.0.0/8" ];
        description = "Addresses or networks never banned, e.g. the admin LAN.";
      };
    };

    apparmor.enable = mkEnableOption "AppArmor mandatory access control (needs a reboot the first time)" // {
      default = true;
    };
  };

  config = mkIf (server.enable && cfg.enable) {
    services.openssh = {
      # mkDefault: a deploy target that turns sshd off must meet deploy-target.nix's assertion.
      enable = mkDefault true;
      ports = [ cfg.ssh.port ];
      # SSH is one of the three ports a server opens to everyone (with 80 and 443).
      openFirewall = true;
      settings = {
        # Keys only: no passwords, no keyboard-interactive; root by key only unless
        # deploy-target.nix says the deploy user is not root (then root may not log in at all).
        PasswordAuthentication = false;
        KbdInteractiveAuthentication = false;
        PermitRootLogin = mkDefault "prohibit-password";
        X11Forwarding = false;
        AllowUsers = cfg.ssh.allowUsers;
      };
    };

    services.fail2ban = mkIf cfg.fail2ban.enable {
      enable = true;
      maxretry = cfg.fail2ban.maxRetry;
      bantime = cfg.fail2ban.banTime;
      bantime-increment.enable = true;
      inherit (cfg.fail2ban) ignoreIP;
    };

    security.apparmor.enable = cfg.apparmor.enable;

    boot.kernel.sysctl = {
      # Refuse ICMP redirects and source routing: a server is not a router.
      "net.ipv4.conf.all.accept_redirects" = mkDefault 0;
      "net.ipv4.conf.default.accept_redirects" = mkDefault 0;
      "net.ipv4.conf.all.send_redirects" = mkDefault 0;
      "net.ipv4.conf.all.accept_source_route" = mkDefault 0;
      "net.ipv6.conf.all.accept_redirects" = mkDefault 0;
      # Survive SYN floods; log martians to spot spoofing.
      "net.ipv4.tcp_syncookies" = mkDefault 1;
      "net.ipv4.conf.all.log_martians" = mkDefault 1;
      # Kernel log is for root only.
      "kernel.dmesg_restrict" = mkDefault 1;
    };
  };
}
