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
  options.profiles.fleet.sources = mkOption {
    type = types.attrsOf (types.listOf types.str);
    readOnly = true;
    default = (import ./lib/firewall.nix).fleetSources {
      inherit (config.profiles.fleet) hosts subnets;
    };
    defaultText = lib.literalMD "`lib/firewall.nix` `fleetSources` of `hosts` and `subnets`";
    description = ''
      The fleet's addresses as firewalls use them: `ipv4`, `ipv6` (sources), `unmatched` (hosts
      whose address is a name), `everywhere` and `errors` (refused by fleet-firewall.nix). Read by
      every rule that admits "the fleet": the firewall, Docker's forward rules, nginx's sites.
    '';
  };

  options.profiles.fleet.subnets = mkOption {
    type = types.listOf types.str;
    default = [ ];
    example = [
      "10.0.10.0/24"
      "fd00:10::/64"
    ];
    description = ''
      Networks (CIDR) or addresses that belong to the fleet besides the hosts' own
      `deployment.targetHost` addresses, e.g. the LAN your laptop browses from. Ports a
      profile opens "to the fleet" (fleet-firewall.nix) accept connections from these and
      from every host's address, never from anywhere else. `0.0.0.0/0` and `::/0` are refused.
    '';
  };

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
