# Opens ports with NixOS's own firewall: a few to everyone, service ports only to the fleet.
# The rules come from lib/firewall.nix (plain data in, rules out), which tests also evaluate.
{ config, lib, ... }:
let
  cfg = config.profiles.fleet.firewall;
  fw = import ./lib/firewall.nix;
  inherit (config.profiles.fleet) subnets;
  inherit (config.profiles.fleet) sources;
  fleetPorts = builtins.sort builtins.lessThan (lib.unique cfg.fleetTCPPorts);
  # The backend decides which hook runs our rules; under firewalld neither would apply.
  inherit (config.networking.firewall) backend;
  rules = fw.rulesFor {
    inherit backend sources;
    tcp = fleetPorts;
  };
  inherit (lib) mkIf mkOption types;
in
{
  options.profiles.fleet.firewall = {
    publicTCPPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      example = [ 443 ];
      description = ''
        TCP ports open to everyone (`networking.firewall.allowedTCPPorts`). A server may
        open only SSH, 80 and 443 to everyone: `server/default.nix` asserts it.
      '';
    };

    fleetTCPPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      example = [ 9100 ];
      description = ''
        TCP ports open only to the fleet: to the `deployment.targetHost` address of every
        host in `hosts/*/host.json` and to {option}`profiles.fleet.subnets`. Roles add their
        service ports here. Implemented for {option}`networking.firewall.backend`:
        `extraInputRules` (nftables, the servers' default) or `extraCommands` (iptables);
        `firewalld` is refused. NixOS's per-port options cannot name a source.
      '';
    };
  };

  config = mkIf (cfg.publicTCPPorts != [ ] || cfg.fleetTCPPorts != [ ]) {
    assertions = [
      {
        assertion = rules != null;
        message = "profiles.fleet.firewall writes rules for networking.firewall.backend \"nftables\" or \"iptables\", not \"${backend}\": fleet-only ports would not be enforced. Set services.firewalld.enable = false.";
      }
      {
        assertion = sources.errors == [ ];
        message = lib.concatStringsSep "\n" sources.errors;
      }
      {
        assertion = sources.everywhere == [ ];
        message = "profiles.fleet.subnets contains ${toString sources.everywhere}, which would open the fleet's ports to everyone (every \"/0\" is everywhere); list your LAN's network instead, e.g. \"10.0.10.0/24\".";
      }
    ];

    warnings =
      lib.optional (fleetPorts != [ ] && sources.unmatched != [ ] && subnets == [ ])
        "profiles.fleet.firewall: the deployment.targetHost of ${toString sources.unmatched} is a name, not an address, and a firewall cannot match names; those hosts cannot reach ports ${toString fleetPorts} here. Add their network to profiles.fleet.subnets.";

    networking.firewall.allowedTCPPorts = cfg.publicTCPPorts;

    networking.firewall.extraCommands = mkIf (rules != null && rules.extraCommands != "") rules.extraCommands;
    networking.firewall.extraInputRules = mkIf (
      rules != null && rules.extraInputRules != ""
    ) rules.extraInputRules;
  };
}
