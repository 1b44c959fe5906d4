# Home base profile (Home Manager module): shell and Git for the primary user.
{
  lib,
  osConfig,
  ...
}:
{
  # Follows the system's state version unless the host says otherwise.
  home.stateVersion = lib.mkDefault osConfig.system.stateVersion;

  programs.bash.enable = true;
  programs.git.enable = true;

  home.sessionVariables.EDITOR = lib.mkDefault "vim";
}
