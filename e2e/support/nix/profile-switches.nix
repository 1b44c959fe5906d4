# What a host's profile switches evaluate to, from the fleet's real modules that set them:
# packages/profiles/machine-type.nix (the type's presets), lib/host-module.nix (host.json) and
# hosts/<name>/configuration.nix, merged by nixpkgs' rule for one option: the definitions with the
# lowest priority number win (plain 100, mkDefault 1000, mkForce 50), and different values among
# the winners are a conflict, as "The option ... has conflicting definition values" in NixOS.
# mkIf conditions are evaluated only for definitions on the asked path, as nixpkgs pushes them down.
# Not followed: `imports` (hardware-configuration.nix) and the other profile modules.
{
  root,
  name,
  # Dotted profile paths, e.g. [ "gaming" "power-user.scientific.octave" ].
  paths,
}:
let
  lib = import ./fixture-lib.nix;
  fleet = import (/. + root + "/packages/profiles/lib");
  hosts = fleet.readHosts (/. + root + "/hosts");
  host = hosts.${name};
  inherit (builtins)
    all
    concatMap
    filter
    foldl'
    head
    isAttrs
    isFunction
    length
    tail
    ;

  # A module's settings: its `config`, or the module itself when it declares no options.
  settingsOf =
    module:
    let
      m = if isFunction module then module args else module;
    in
    if m ? config || m ? options then m.config or { } else removeAttrs m [ "imports" ];
  modules = [
    (/. + root + "/packages/profiles/machine-type.nix")
    (fleet.hostModule { inherit name host hosts; })
    (import (/. + root + "/hosts/${name}/configuration.nix"))
  ];
  settings = map (m: settingsOf (if isFunction m then m else import m)) modules;

  # Only what the switch-setting modules read from config; machineType comes from their own merge.
  config = {
    profiles = {
      machineType = (valueOf [ "profiles" "machineType" ] null).value;
      fleet.hosts = hosts;
      secrets.available = false;
      base.user.name = "admin";
    };
  };
  args = {
    inherit config lib;
    pkgs = { };
    options = { };
    modulesPath = "/modules";
  };

  defsAt =
    path: v: priority: conds:
    let
      type = if isAttrs v then v._type or "" else "";
    in
    if type == "merge" then
      concatMap (c: defsAt path c priority conds) v.contents
    else if type == "if" then
      defsAt path v.content priority (conds ++ [ v.condition ])
    else if type == "override" then
      defsAt path v.content (if priority == null then v.priority else priority) conds
    else if path == [ ] then
      [
        {
          inherit conds;
          priority = if priority == null then 100 else priority;
          value = v;
        }
      ]
    else if isAttrs v && v ? ${head path} then
      defsAt (tail path) v.${head path} priority conds
    else
      [ ];

  valueOf =
    path: default:
    let
      defs = filter (d: all (c: c) d.conds) (concatMap (s: defsAt path s null [ ]) settings);
      top = foldl' (p: d: if d.priority < p then d.priority else p) 10000 defs;
      winners = filter (d: d.priority == top) defs;
      values = foldl' (acc: d: if builtins.elem d.value acc then acc else acc ++ [ d.value ]) [ ] winners;
    in
    if defs == [ ] then
      {
        value = default;
        priority = null;
        conflict = false;
      }
    else
      {
        value = head values;
        priority = top;
        conflict = length values > 1;
      };
in
builtins.listToAttrs (
  map (path: {
    name = path;
    value = valueOf ([ "profiles" ] ++ lib.splitString "." path ++ [ "enable" ]) false;
  }) paths
)
