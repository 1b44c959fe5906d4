# ares: the laptop. Desktop (from type "laptop") and development; no Octave, no gaming.
{ ... }:
{
  imports = [ ./hardware-configuration.nix ];

  profiles = {
    # Add your public key; see docs/Profile-System.md (profiles.base.user).
    base.user.sshKeys = [ ];
    # No key yet: evaluation refuses a deploy target nobody could log in to. Add your public
    # key to base.user.sshKeys above, then delete this line.
    deployTarget.allowNoKey = true;
    base.timeZone = "Europe/Berlin";

    # Python and Node.js are on by default; this laptop also writes Rust.
    development.languages.rust.enable = true;
    home.productivity.enable = true;
  };

  system.stateVersion = "25.05";
}
