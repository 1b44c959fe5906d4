# workstation: the desktop that has everything. Type "desktop" gives desktop, development, Home
# Manager, gaming and power-user with Octave; host.json adds ML and game dev; here, all languages.
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

    development = {
      languages = {
        rust.enable = true;
        go.enable = true;
        c.enable = true;
        java.enable = true;
      };
      tools = {
        docker.enable = true;
        kubernetes.enable = true;
      };
    };

    # Octave comes with the type; R and gnuplot on top.
    "power-user".scientific = {
      r.enable = true;
      gnuplot.enable = true;
    };

    gaming.remotePlay.openFirewall = true;

    home = {
      creative.enable = true;
      communication.enable = true;
      productivity.enable = true;
      modules = [ ./home.nix ];
    };
  };

  system.stateVersion = "25.05";
}
