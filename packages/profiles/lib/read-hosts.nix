# Reads hosts/<name>/host.json for every folder of hostsDir that has one, keyed by name (sorted).
# host.json is the inventory record shared with the Nx plugin; see docs/Profile-System.md.
hostsDir:
let
  entries = builtins.readDir hostsDir;
  isHost =
    name: entries.${name} == "directory" && builtins.pathExists (hostsDir + "/${name}/host.json");
  read =
    name:
    let
      host = builtins.fromJSON (builtins.readFile (hostsDir + "/${name}/host.json"));
    in
    # Fail early with the file and the fix, not deep inside nixosSystem.
    if !(host ? type && host ? system) then
      throw ''hosts/${name}/host.json needs "type" (laptop, desktop, server, vm) and "system" (x86_64-linux, aarch64-linux).''
    else
      host;
in
builtins.listToAttrs (
  map (name: {
    inherit name;
    value = read name;
  }) (builtins.filter isHost (builtins.attrNames entries))
)
