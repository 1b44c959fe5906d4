# Home communication profile (Home Manager module): Discord and Slack; their unfree names are allowed in home.nix.
{ pkgs, ... }:
{
  home.packages = [
    pkgs.discord
    pkgs.slack
  ];
}
