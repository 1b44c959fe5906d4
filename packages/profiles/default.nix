# Imports every profile beside this file, so adding a profile is adding a file (or a folder).
# lib/ is plain Nix for flake.nix, and home/ holds Home Manager modules wired by home.nix.
{
  imports = import ./lib/import-dir.nix {
    dir = ./.;
    exclude = [
      "default.nix"
      "lib"
      "home"
    ];
  };
}
