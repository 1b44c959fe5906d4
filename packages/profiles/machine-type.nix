# Machine types as presets: each type switches profiles on with mkDefault, so a host can still say no.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.machineType;
  inherit (lib) mkDefault mkIf mkMerge mkOption types;
in
{
  options.profiles.machineType = mkOption {
    type = types.nullOr (
      types.enum [
        "laptop"
        "desktop"
        "server"
        "vm"
      ]
    );
    # null keeps presets out of hosts that import the profiles without a host.json (migration).
    default = null;
    example = "laptop";
    description = ''
      What kind of machine this is; set from `type` in the host's host.json.
      `null` applies no preset.

      - `laptop`: desktop and Home Manager on, plus Bluetooth and power profiles.
      - `desktop`: desktop and Home Manager on.
      - `server`: headless server profile with the `general` role, root deploys by key.
      - `vm`: a plain virtual machine: QEMU guest agent on, nothing graphical.
    '';
  };

  config = mkMerge [
    (mkIf (cfg == "laptop" || cfg == "desktop") {
      profiles.desktop.enable = mkDefault true;
      profiles.home.enable = mkDefault true;
    })
    (mkIf (cfg == "laptop") {
      # Battery life and wireless peripherals are what set a laptop apart.
      services.power-profiles-daemon.enable = mkDefault true;
      hardware.bluetooth.enable = mkDefault true;
    })
    (mkIf (cfg == "server") {
      profiles.server.enable = mkDefault true;
      profiles.server.roles.general.enable = mkDefault true;
      profiles.base.user.allowRootDeploy = mkDefault true;
    })
    (mkIf (cfg == "vm") {
      services.qemuGuest.enable = mkDefault true;
    })
  ];
}
