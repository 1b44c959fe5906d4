# Server profile: headless, hardened and tuned; roles (server/roles/) say what the server runs.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server;
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  imports = [
    ./hardening.nix
    ./optimisation.nix
    ./roles
  ];

  options.profiles.server = {
    enable = mkEnableOption "the headless server profile (hardening, tuning, roles)";

    openPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      example = [ 8080 ];
      description = "Extra TCP ports to open; roles open their own ports through their `openFirewall` options.";
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = !config.profiles.desktop.enable;
        message = "profiles.server is headless: it needs profiles.desktop.enable = false; use machine type \"desktop\" for a graphical machine.";
      }
    ];

    networking.firewall = {
      enable = true;
      allowedTCPPorts = cfg.openPorts;
    };

    # Headless: the interpreters and tools NixOS installs by default are not needed here.
    environment.defaultPackages = lib.mkDefault [ ];
  };
}
