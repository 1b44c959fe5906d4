# Lists the `.nix` files and sub-folders of a directory, sorted, ready for `imports`.
# Builtins only, so it also works where nixpkgs' lib is not at hand (tests, plain Nix).
{
  dir,
  # Names (files or folders) to leave out, e.g. the caller itself.
  exclude ? [ "default.nix" ],
}:
let
  entries = builtins.readDir dir;
  isNixFile = name: builtins.match ".*\\.nix" name != null;
  # Dot-files are editor and tool droppings (.#foo.nix), never modules.
  isHidden = name: builtins.substring 0 1 name == ".";
  # A folder is a module only when it has a default.nix to import.
  isModuleDir = name: builtins.pathExists (dir + "/${name}/default.nix");
  wanted =
    name:
    let
      type = entries.${name};
    in
    !(builtins.elem name exclude)
    && !(isHidden name)
    && ((type == "regular" && isNixFile name) || (type == "directory" && isModuleDir name));
in
# attrNames is already sorted, which keeps the import order stable across machines.
map (name: dir + "/${name}") (builtins.filter wanted (builtins.attrNames entries))
