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
}:
let
  hosts = import ./read-hosts.nix hostsDir;
  hostModule = import ./host-module.nix;

  # Every host reads the whole inventory (profiles.fleet.hosts): read all of it first, so a broken
  # host.json fails each host's evaluation with that file's name (read-hosts.nix), never later.
  inventoryRead = builtins.all (host: host ? type) (builtins.attrValues hosts);

  nixosConfigurations = builtins.mapAttrs (
    name: host:
    builtins.seq inventoryRead nixpkgs.lib.nixosSystem {
      inherit specialArgs;
      modules = modules ++ [
        (hostModule { inherit name host hosts; })
        (hostsDir + "/${name}/configuration.nix")
      ];
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
