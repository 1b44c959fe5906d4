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
  # disko's NixOS module (inputs.disko.nixosModules.disko): hosts with a disko.nix get it.
  diskoModule ? null,
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
    # A number, list or null names no branch either; toJSON shows it as written.
    if !(builtins.isString branch && branches ? ${branch}) then
      throw ''hosts/${name}/host.json: "nixpkgs" is ${builtins.toJSON branch}; use "unstable" or "stable".''
    else if branches.${branch} == null then
      throw ''hosts/${name}/host.json asks for "nixpkgs": "stable", but the flake passes no nixpkgs-stable to mkFleet.''
    else
      branch;

  # Every host reads the whole inventory (profiles.fleet.hosts): read all of it first, so a broken
  # host.json fails each host's evaluation with that file's name (read-hosts.nix), never later.
  inventoryRead = builtins.all (host: host ? type) (builtins.attrValues hosts);

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
