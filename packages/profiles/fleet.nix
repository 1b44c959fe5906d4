# Facts about the whole fleet (every host.json), so one host can refer to the others.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
in
{
  options.profiles.fleet.hosts = mkOption {
    type = types.attrsOf types.anything;
    default = { };
    example = lib.literalExpression ''
      { web-server = { type = "server"; system = "x86_64-linux"; roles = [ "web" ]; }; }
    '';
    description = ''
      The parsed `hosts/<name>/host.json` of every host, keyed by name. Set by
      `packages/profiles/lib/mk-fleet.nix`; read, for example, by the monitoring role
      to find the node exporters of the other servers. Never put secrets in host.json.
    '';
  };
}
