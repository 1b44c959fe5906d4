# Secret files are named by path and read at run time; the path must never be in the Nix store,
# where every user can read it ("${./pw}" copies ./pw there). Builtins only, tested with real Nix.
let
  inherit (builtins)
    isPath
    isString
    storeDir
    substring
    stringLength
    ;
  inStore = s: substring 0 (stringLength storeDir + 1) s == "${storeDir}/";
in
rec {
  # null when `value` may name a secret file, else the message (naming the option and the fix).
  problem =
    name: value:
    let
      s = toString value;
    in
    if value == null then
      null
    # String context: the value came from a store path ("${./pw}", a derivation), wherever it points.
    else if isPath value || inStore s || builtins.hasContext s then
      "${name} is ${s}, which is (or is copied to) a file in the Nix store, where every user can read it. Keep the secret out of the repository and name its path on the machine, e.g. config.sops.secrets.<name>.path."
    else if !(isString value) || substring 0 1 s != "/" then
      "${name} must be an absolute path on the machine (a sops-nix secret's path), not ${s}."
    else
      null;

  # type and apply for mkOption: nixpkgs' pathWith { inStore = false; } where it exists, and
  # the same check either way, so the message names the option.
  option =
    {
      types,
      name,
      nullable ? false,
    }:
    let
      base = if types ? pathWith then types.pathWith { inStore = false; absolute = true; } else types.str;
    in
    {
      type = if nullable then types.nullOr base else base;
      apply =
        value:
        let
          p = problem name value;
        in
        if p == null then value else throw p;
    };
}
