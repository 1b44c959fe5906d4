# Game-development bundle: Blender and the Godot 4 engine; needs the desktop profile.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.gamedev;
  inherit (lib) mkIf mkEnableOption;
in
{
  options.profiles.gamedev = {
    enable = mkEnableOption "Blender and Godot 4 (both graphical; Blender is a large download)";
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = config.profiles.desktop.enable;
        message = "profiles.gamedev needs profiles.desktop.enable = true (Blender and Godot are graphical); switch the desktop on or gamedev off.";
      }
    ];

    environment.systemPackages = [
      pkgs.blender
      pkgs.godot_4
    ];
  };
}
