# Home base profile (Home Manager module): shell, Git and the essential user tools of the primary user.
{
  lib,
  osConfig,
  ...
}:
let
  # The switches live in the NixOS options (profiles.home.tools), beside the other home profiles.
  tools = osConfig.profiles.home.tools;
in
{
  # Follows the system's state version unless the host says otherwise.
  home.stateVersion = lib.mkDefault osConfig.system.stateVersion;

  programs.bash.enable = true;
  programs.git.enable = true;

  programs.fzf.enable = tools.fzf.enable;
  programs.ripgrep.enable = tools.ripgrep.enable;
  programs.fd.enable = tools.fd.enable;
  programs.bat.enable = tools.bat.enable;
  programs.eza.enable = tools.eza.enable;
  programs.htop.enable = tools.htop.enable;
  programs.jq.enable = tools.jq.enable;

  home.sessionVariables.EDITOR = lib.mkDefault "vim";
}
