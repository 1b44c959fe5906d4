# Power-user profile: advanced CLI tools; scientific tools are one switch each (all off), usable alone.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles."power-user";
  sci = cfg.scientific;
  inherit (lib) mkIf mkMerge mkEnableOption optionals;
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

  # Each scientific switch installs its tool on its own: `scientific.octave.enable = true` alone
  # gives Octave without the CLI tools of `enable`.
  config = mkMerge [
    (mkIf cfg.enable {
      environment.systemPackages = with pkgs; [
        tmux
        btop
        ncdu
        nmap
        lsof
        strace
      ];
    })
    (mkIf (sci.octave.enable || sci.r.enable || sci.gnuplot.enable) {
      environment.systemPackages =
        optionals sci.octave.enable [ sci.octave.package ]
        ++ optionals sci.r.enable [ pkgs.R ]
        ++ optionals sci.gnuplot.enable [ pkgs.gnuplot ];
    })
  ];
}
