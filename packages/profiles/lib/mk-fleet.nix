# Builds nixosConfigurations and checks.<system>.<host> from every hosts/<name>/host.json.
{
  # The nixpkgs flake input (its lib.nixosSystem builds each host).
  nixpkgs,
  # Path to the hosts/ folder.
  hostsDir,
  # Modules every host gets, e.g. the profile library; each host adds its configuration.nix.
  modules ? [ ],
  # Extra module arguments, e.g. { inherit inputs; }.
  specialArgs ? { },
  # disko's NixOS module (inputs.disko.nixosModules.disko): hosts with a disko.nix get it.
  diskoModule ? null,
}:
let
  hosts = import ./read-hosts.nix hostsDir;
  hostModule = import ./host-module.nix;

  # hosts/<name>/disko.nix is the disk layout install partitions; disko also sets fileSystems from it.
  diskoModules =
    name:
    let
      layout = hostsDir + "/${name}/disko.nix";
    in
    if !builtins.pathExists layout then
      [ ]
    else if diskoModule == null then
      throw "hosts/${name}/disko.nix needs disko: add the disko flake input and pass diskoModule = disko.nixosModules.disko to mkFleet."
    else
      [
        diskoModule
        layout
      ];

  nixosConfigurations = builtins.mapAttrs (
    name: host:
    nixpkgs.lib.nixosSystem {
      inherit specialArgs;
      modules = modules ++ [
        (hostModule { inherit name host hosts; })
        (hostsDir + "/${name}/configuration.nix")
      ]
      ++ diskoModules name;
    }
  ) hosts;

  # Grouped by the host's own system: `nix flake check` then builds every host it can.
  checks = builtins.foldl' (
    acc: name:
    let
      inherit (hosts.${name}) system;
    in
    acc
    // {
      ${system} = (acc.${system} or { }) // {
        ${name} = nixosConfigurations.${name}.config.system.build.toplevel;
      };
    }
  ) { } (builtins.attrNames hosts);
in
{
  inherit hosts nixosConfigurations checks;
}
