# A stand-in for nixpkgs' lib (nixpkgs cannot be fetched here): the functions the fleet's
# switch-setting modules call. mkIf, mkMerge and mkOverride build nixpkgs' own representations
# ({ _type = "if" | "merge" | "override"; ... }), so profile-switches.nix reads real definitions.
let
  inherit (builtins)
    filter
    foldl'
    isString
    listToAttrs
    map
    split
    ;
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
  mkOption = attrs: attrs // { _type = "option"; };
  # Option types only describe; nothing here checks values.
  anyType = "type";
  typeOf = _: anyType;
in
rec {
  inherit mkOverride mkOption;
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;
  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };
  mkEnableOption = description: mkOption {
    default = false;
    inherit description;
  };
  mkPackageOption = _pkgs: name: _: mkOption { default = name; };
  literalExpression = text: text;
  types = {
    bool = anyType;
    str = anyType;
    int = anyType;
    port = anyType;
    path = anyType;
    package = anyType;
    lines = anyType;
    deferredModule = anyType;
    enum = typeOf;
    nullOr = typeOf;
    listOf = typeOf;
    attrsOf = typeOf;
    submodule = typeOf;
  };
  splitString = sep: s: filter isString (split (escapeRegex sep) s);
  escapeRegex = s: builtins.replaceStrings [ "." ] [ "\\." ] s;
  setAttrByPath =
    path: value:
    if path == [ ] then value else { ${builtins.head path} = setAttrByPath (builtins.tail path) value; };
  genAttrs =
    names: f:
    listToAttrs (
      map (name: {
        inherit name;
        value = f name;
      }) names
    );
  mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: xs: if cond then xs else [ ];
  concatLists = foldl' (a: b: a ++ b) [ ];
}
