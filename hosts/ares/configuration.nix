# ares: the laptop, kept small. Type "laptop" gives desktop, development and Home Manager (battery
# tuned); development keeps its defaults, Python and Node.js, and nothing else.
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

    # Python and Node.js only: no Rust on the laptop (the workstation has it).
    development.languages.rust.enable = false;

    # A minimal home: the home base profile and this host's home.nix, no productivity apps.
    home.productivity.enable = false;
    home.modules = [ ./home.nix ];
  };

  system.stateVersion = "25.05";
}
