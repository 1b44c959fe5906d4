# Unfree packages by name: profiles add the names they need, one predicate allows exactly those.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  names = config.profiles.allowedUnfree;
  inherit (lib) mkIf mkOption types;
in
{
  options.profiles.allowedUnfree = mkOption {
    type = types.listOf types.str;
    default = [ ];
    example = [ "discord" ];
    description = ''
      Package names (`lib.getName pkg`) allowed although their licence is unfree.
      Profiles append to it (gaming adds Steam, home.communication adds Discord and
      Slack); a host may add more. Everything else unfree still fails to evaluate.
      This sets `nixpkgs.config.allowUnfreePredicate`, so do not set that elsewhere.
    '';
  };

  # Without names nothing is set, so a fleet with no unfree software keeps nixpkgs' default.
  config = mkIf (names != [ ]) {
    nixpkgs.config.allowUnfreePredicate = pkg: builtins.elem (lib.getName pkg) names;
  };
}
