# Machine types as presets: each type switches profiles on with mkDefault, so a host can still say no.
# The profiles of each type are listed once, in lib/machine-types.json (the host generator reads it too).
{
  config,
  lib,
  ...
}:
let
  cfg = config.profiles.machineType;
  inherit (lib) mkDefault mkIf mkMerge mkOption types;
  machineTypes = builtins.removeAttrs (builtins.fromJSON (builtins.readFile ./lib/machine-types.json)) [
    "$comment"
  ];
  # "power-user.scientific.octave" -> profiles."power-user".scientific.octave.enable = mkDefault true.
  enableByDefault =
    path: lib.setAttrByPath ([ "profiles" ] ++ lib.splitString "." path ++ [ "enable" ]) (mkDefault true);
  # One mkIf per type, so the set of options defined never depends on machineType itself.
  presets = lib.mapAttrsToList (
    type: preset: mkIf (cfg == type) (mkMerge (map enableByDefault preset.profiles))
  ) machineTypes;
in
{
  options.profiles.machineType = mkOption {
    type = types.nullOr (types.enum (builtins.attrNames machineTypes));
    # null keeps presets out of hosts that import the profiles without a host.json (migration).
    default = null;
    example = "laptop";
    description = ''
      What kind of machine this is; set from `type` in the host's host.json.
      `null` applies no preset. Each type switches on, with `mkDefault` (so a host can set any
      of them to `false`), the profiles listed in `packages/profiles/lib/machine-types.json`:

      - `laptop`: desktop, development and Home Manager, plus power profiles and Bluetooth (battery).
      - `desktop`: the workstation: desktop, development, Home Manager, gaming and power-user
        with Octave (`power-user.scientific.octave`).
      - `server`: headless server profile with the `general` role, root deploys by key.
      - `vm`: a plain virtual machine: QEMU guest agent on, nothing graphical.
    '';
  };

  config = mkMerge (
    presets
    ++ [
      (mkIf (cfg == "laptop") {
        # Battery life and wireless peripherals are what set a laptop apart.
        services.power-profiles-daemon.enable = mkDefault true;
        hardware.bluetooth.enable = mkDefault true;
      })
      (mkIf (cfg == "server") {
        profiles.base.user.allowRootDeploy = mkDefault true;
      })
      (mkIf (cfg == "vm") {
        services.qemuGuest.enable = mkDefault true;
      })
    ]
  );
}
