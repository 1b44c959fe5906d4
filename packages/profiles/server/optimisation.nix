# Server auto-optimisation: BBR congestion control, network and memory sysctls, tighter GC.
{ config, lib, ... }:
let
  server = config.profiles.server;
  cfg = server.optimisation;
  inherit (lib) mkDefault mkIf mkEnableOption mkMerge;
in
{
  options.profiles.server.optimisation = {
    enable = mkEnableOption "server tuning (BBR, sysctl, garbage collection)" // {
      default = true;
    };

    bbr.enable = mkEnableOption "TCP BBR congestion control with the fq queueing discipline" // {
      default = true;
    };

    sysctl.enable = mkEnableOption "network and memory sysctl tuning for a busy headless server" // {
      default = true;
    };

    gc.enable = mkEnableOption "daily garbage collection keeping 14 days (servers have small disks)" // {
      default = true;
    };
  };

  config = mkIf (server.enable && cfg.enable) (mkMerge [
    (mkIf cfg.bbr.enable {
      boot.kernelModules = [ "tcp_bbr" ];
      boot.kernel.sysctl = {
        "net.core.default_qdisc" = mkDefault "fq";
        "net.ipv4.tcp_congestion_control" = mkDefault "bbr";
      };
    })
    (mkIf cfg.sysctl.enable {
      boot.kernel.sysctl = {
        "net.core.somaxconn" = mkDefault 4096;
        "net.ipv4.tcp_fastopen" = mkDefault 3;
        "net.ipv4.tcp_mtu_probing" = mkDefault 1;
        "net.ipv4.tcp_slow_start_after_idle" = mkDefault 0;
        # Databases and caches prefer RAM to swap.
        "vm.swappiness" = mkDefault 10;
        "fs.inotify.max_user_watches" = mkDefault 524288;
      };
    })
    (mkIf cfg.gc.enable {
      profiles.base.nix.gc = {
        dates = mkDefault "daily";
        olderThan = mkDefault "14d";
      };
    })
  ]);
}
