{
  description = "nix-fleet: a fleet of NixOS machines from option-gated profiles and hosts/<name>/host.json";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    # Latest release: the whole system of hosts with "nixpkgs": "stable" in host.json, and
    # single packages for the others (pkgs.stable.<name>).
    nixpkgs-stable.url = "github:NixOS/nixpkgs/nixos-25.11";
    home-manager = {
      url = "github:nix-community/home-manager";
      inputs.nixpkgs.follows = "nixpkgs";
    };
    # Home Manager's release branch for the same release, used by the stable hosts.
    home-manager-stable = {
      url = "github:nix-community/home-manager/release-25.11";
      inputs.nixpkgs.follows = "nixpkgs-stable";
    };
    sops-nix = {
      url = "github:Mic92/sops-nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    inputs@{
      self,
      nixpkgs,
      nixpkgs-stable,
      home-manager,
      home-manager-stable,
      sops-nix,
    }:
    let
      fleetLib = import ./packages/profiles/lib;
      # The profile library and sops-nix; Home Manager is added per branch, its release must match.
      profilesWithoutHome = {
        imports = [
          ./packages/profiles
          sops-nix.nixosModules.sops
        ];
        # pkgs.stable.<name> picks a package from the release branch; lazy, costs nothing unused.
        nixpkgs.overlays = [
          (final: _prev: {
            stable = nixpkgs-stable.legacyPackages.${final.stdenv.hostPlatform.system};
          })
        ];
      };
      fleet = fleetLib.mkFleet {
        # host.json "nixpkgs" picks the branch: unstable (default) or stable.
        inherit nixpkgs nixpkgs-stable;
        hostsDir = ./hosts;
        modules = [ profilesWithoutHome ];
        branchModules = {
          unstable = [ home-manager.nixosModules.home-manager ];
          stable = [ home-manager-stable.nixosModules.home-manager ];
        };
        specialArgs = { inherit inputs; };
      };
      forAllSystems = nixpkgs.lib.genAttrs [
        "x86_64-linux"
        "aarch64-linux"
      ];
    in
    {
      # The profile library plus the modules it builds on (Home Manager, sops-nix), for unstable.
      nixosModules.profiles = {
        imports = [
          profilesWithoutHome
          home-manager.nixosModules.home-manager
        ];
      };
      nixosModules.default = self.nixosModules.profiles;

      # One configuration per hosts/<name>/host.json; checks.<system>.<host> builds its toplevel.
      inherit (fleet) nixosConfigurations checks;

      formatter = forAllSystems (system: nixpkgs.legacyPackages.${system}.nixfmt);

      devShells = forAllSystems (
        system:
        let
          pkgs = nixpkgs.legacyPackages.${system};
        in
        {
          default = pkgs.mkShell {
            packages = with pkgs; [
              nodejs
              git
              nixfmt
              nil
              statix
              deadnix
              sops
              age
              ssh-to-age
            ];
          };
        }
      );
    };
}
