# Gaming profile: Steam, GameMode, MangoHud and 32-bit graphics; needs the desktop profile.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.gaming;
  inherit (lib) mkIf mkEnableOption;
in
{
  options.profiles.gaming = {
    enable = mkEnableOption "Steam, GameMode and MangoHud (Steam is unfree; x86_64 only)";

    remotePlay.openFirewall = mkEnableOption "the firewall ports for Steam Remote Play";
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = config.profiles.desktop.enable;
        message = "profiles.gaming needs profiles.desktop.enable = true (games need a graphical session); switch the desktop on or gaming off.";
      }
    ];

    programs.steam = {
      enable = true;
      remotePlay.openFirewall = cfg.remotePlay.openFirewall;
    };
    programs.gamemode.enable = true;

    # Steam's module sets this too; stated here because Proton and Wine need it without Steam.
    hardware.graphics.enable32Bit = true;

    environment.systemPackages = [ pkgs.mangohud ];

    # The Steam package set is split over several derivations, all unfree.
    profiles.allowedUnfree = [
      "steam"
      "steam-unwrapped"
      "steam-original"
      "steam-run"
    ];
  };
}
