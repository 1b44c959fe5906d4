# ML bundle: one Python environment with Jupyter, PyTorch and the usual data libraries.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.ml;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  options.profiles.ml = {
    enable = mkEnableOption "a Python environment with JupyterLab, PyTorch, NumPy, pandas and scikit-learn. Large download: PyTorch alone is over 1 GB";

    extraPythonPackages = mkOption {
      type = types.functionTo (types.listOf types.package);
      default = _: [ ];
      defaultText = lib.literalExpression "ps: [ ]";
      example = lib.literalExpression "ps: [ ps.matplotlib ]";
      description = "More Python packages for the same environment, picked from the Python package set.";
    };
  };

  config = mkIf cfg.enable {
    # One environment, so `jupyter lab` sees torch and every extra package.
    environment.systemPackages = [
      (pkgs.python3.withPackages (
        ps:
        [
          ps.jupyterlab
          ps.torch
          ps.numpy
          ps.pandas
          ps.scikit-learn
        ]
        ++ cfg.extraPythonPackages ps
      ))
    ];
  };
}
