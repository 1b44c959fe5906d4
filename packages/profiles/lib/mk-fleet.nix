# Builds nixosConfigurations and checks.<system>.<host> from every hosts/<name>/host.json.
# A host's host.json "nixpkgs" ("unstable", the default, or "stable") picks the nixpkgs input whose
# lib.nixosSystem builds its whole system, and the modules that go with that branch (Home Manager).
{
  # The nixpkgs flake input of "unstable" hosts (its lib.nixosSystem builds each host).
  nixpkgs,
  # The release-branch nixpkgs input, for hosts with "nixpkgs": "stable"; null refuses such hosts.
  nixpkgs-stable ? null,
  # Path to the hosts/ folder.
  hostsDir,
  # Modules every host gets, e.g. the profile library; each host adds its configuration.nix.
  modules ? [ ],
  # Modules only the hosts of one branch get, e.g. the Home Manager release matching that branch.
  branchModules ? { },
  # Extra module arguments, e.g. { inherit inputs; }.
  specialArgs ? { },
}:
let
  hosts = import ./read-hosts.nix hostsDir;
  hostModule = import ./host-module.nix;
  branches = {
    unstable = nixpkgs;
    stable = nixpkgs-stable;
  };

  branchOf =
    name: host:
    let
      branch = host.nixpkgs or "unstable";
    in
    if !(branches ? ${branch}) then
      throw ''hosts/${name}/host.json: "nixpkgs" is "${branch}"; use "unstable" or "stable".''
    else if branches.${branch} == null then
      throw ''hosts/${name}/host.json asks for "nixpkgs": "stable", but the flake passes no nixpkgs-stable to mkFleet.''
    else
      branch;

  # Every host reads the whole inventory (profiles.fleet.hosts): read all of it first, so a broken
  # host.json fails each host's evaluation with that file's name (read-hosts.nix), never later.
  inventoryRead = builtins.all (host: host ? type) (builtins.attrValues hosts);

  nixosConfigurations = builtins.mapAttrs (
    name: host:
    let
      branch = branchOf name host;
    in
    builtins.seq inventoryRead branches.${branch}.lib.nixosSystem {
      inherit specialArgs;
      modules =
        modules
        ++ (branchModules.${branch} or [ ])
        ++ [
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
