# ML bundle: one Python environment (PyTorch and the usual data libraries) and JupyterLab as a service.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.ml;
  jupyter = cfg.jupyter;
  inherit (lib) mkIf mkEnableOption mkOption types;

  # One environment, so notebooks and `python` at the shell see torch and every extra package.
  env = pkgs.python3.withPackages (
    ps:
    [
      ps.jupyterlab
      ps.ipykernel
      ps.torch
      ps.numpy
      ps.pandas
      ps.scikit-learn
    ]
    ++ cfg.extraPythonPackages ps
  );
  initialPassword = "${dirOf jupyter.passwordFile}/initial-password";
in
{
  options.profiles.ml = {
    enable = mkEnableOption "a Python environment with PyTorch, NumPy, pandas and scikit-learn, and JupyterLab as a service. Large download: PyTorch alone is over 1 GB";

    extraPythonPackages = mkOption {
      type = types.functionTo (types.listOf types.package);
      default = _: [ ];
      defaultText = lib.literalExpression "ps: [ ]";
      example = lib.literalExpression "ps: [ ps.matplotlib ]";
      description = "More Python packages for the same environment, picked from the Python package set.";
    };

    jupyter = {
      enable = mkEnableOption "JupyterLab as a system service (`services.jupyter`), on localhost only" // {
        default = true;
      };

      port = mkOption {
        type = types.port;
        default = 8888;
        description = "Port JupyterLab listens on, on 127.0.0.1 only: browse to <http://127.0.0.1:8888>.";
      };

      passwordFile = mkOption {
        type = types.strMatching "/[A-Za-z0-9._/-]+";
        default = "/var/lib/jupyter/password";
        example = lib.literalExpression "config.sops.secrets.jupyter-password.path";
        description = ''
          File holding the hashed login password (`argon2:...`, from
          `python -c 'from jupyter_server.auth import passwd; print(passwd())'`), read when
          Jupyter starts, so it never enters the Nix store. If the file is missing on first
          start, a random password is written to `initial-password` beside it (readable by the
          `jupyter` user and root: `sudo cat /var/lib/jupyter/initial-password`) and its hash here.
        '';
      };
    };
  };

  config = mkIf cfg.enable {
    environment.systemPackages = [ env ];

    services.jupyter = mkIf jupyter.enable {
      enable = true;
      ip = "127.0.0.1";
      inherit (jupyter) port;
      command = "jupyter lab";
      package = pkgs.python3.pkgs.jupyterlab;
      # services.jupyter writes `c.ServerApp.password = "<password>"` into its Python config;
      # this value makes that line read the hash from the file at start instead.
      password = ''" + open("${jupyter.passwordFile}").read().strip() + "'';
      kernels.python3 = {
        displayName = "Python 3 (ML: PyTorch, NumPy, pandas, scikit-learn)";
        argv = [
          env.interpreter
          "-m"
          "ipykernel_launcher"
          "-f"
          "{connection_file}"
        ];
        language = "python";
      };
    };

    systemd.services.jupyter.preStart = mkIf jupyter.enable ''
      if [ ! -s ${jupyter.passwordFile} ]; then
        umask 077
        ${pkgs.openssl}/bin/openssl rand -base64 18 > ${initialPassword}
        ${env.interpreter} -c 'import sys; from jupyter_server.auth import passwd; print(passwd(sys.stdin.readline().strip()))' \
          < ${initialPassword} > ${jupyter.passwordFile}
      fi
    '';
  };
}
