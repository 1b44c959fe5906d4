# ares: the laptop. Desktop (from type "laptop") and development; no Octave, no gaming.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key; see docs/Profile-System.md (profiles.base.user).
    base.user.sshKeys = [ ];
    base.timeZone = "Europe/Berlin";

    # Python and Node.js are on by default; this laptop also writes Rust.
    development.languages.rust.enable = true;
    home.productivity.enable = true;
  };

  system.stateVersion = "25.05";
}
