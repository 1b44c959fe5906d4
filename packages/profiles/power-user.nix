# Power-user profile: advanced CLI tools, plus scientific tools one sub-option each (all off).
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles."power-user";
  sci = cfg.scientific;
  inherit (lib) mkIf mkEnableOption optionals;
in
{
  options.profiles."power-user" = {
    enable = mkEnableOption "advanced CLI tools (tmux, btop, ncdu, nmap, lsof, strace)";

    scientific = {
      octave = {
        enable = mkEnableOption "GNU Octave. Large download: several hundred MB with its libraries";
        package = lib.mkPackageOption pkgs "octave" { };
      };
      r.enable = mkEnableOption "the R language for statistics (a few hundred MB)";
      gnuplot.enable = mkEnableOption "gnuplot for plotting";
    };
  };

  config = mkIf cfg.enable {
    environment.systemPackages =
      (with pkgs; [
        tmux
        btop
        ncdu
        nmap
        lsof
        strace
      ])
      ++ optionals sci.octave.enable [ sci.octave.package ]
      ++ optionals sci.r.enable [ pkgs.R ]
      ++ optionals sci.gnuplot.enable [ pkgs.gnuplot ];
  };
}
