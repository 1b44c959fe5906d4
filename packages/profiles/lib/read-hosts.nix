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
      text = builtins.readFile (hostsDir + "/${name}/host.json");
      # fromJSON's own error names no file and cannot be caught: check the text first.
      problem = import ./json-check.nix text;
      host = builtins.fromJSON text;
    in
    # Fail early with the file and the fix, not deep inside nixosSystem. Every host reads every
    # host.json (profiles.fleet.hosts), so this is the message each of them shows.
    if problem != null then
      throw "hosts/${name}/host.json is ${problem}. Fix that file: every host's evaluation reads it."
    else if !(host ? type && host ? system) then
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
