# Home productivity profile (Home Manager module): notes and office; Obsidian is allowed as unfree in home.nix.
{ pkgs, ... }:
{
  home.packages = [
    pkgs.obsidian
    pkgs.libreoffice
  ];
}
