# Server profile: headless, hardened and tuned; roles (server/roles/) say what the server runs.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.profiles.server;
  fw = import ../lib/firewall.nix;
  firewall = config.networking.firewall;
  # What this server opens to everyone beyond SSH, 80 and 443 (after every module has spoken).
  worldOpen = fw.worldViolations {
    tcp = firewall.allowedTCPPorts;
    udp = firewall.allowedUDPPorts;
    tcpRanges = firewall.allowedTCPPortRanges;
    udpRanges = firewall.allowedUDPPortRanges;
    allowed = fw.publicTCPPorts ++ config.services.openssh.ports;
  };
  # Per-interface openings: everyone on that network, so they are named (a VPN may mean it).
  interfaceOpen = fw.interfaceViolations {
    inherit (firewall) interfaces trustedInterfaces;
    allowed = fw.publicTCPPorts ++ config.services.openssh.ports;
  };
  inherit (lib) mkIf mkEnableOption mkOption types;
in
{
  imports = [
    ./hardening.nix
    ./optimisation.nix
    ./roles
  ];

  options.profiles.server = {
    enable = mkEnableOption "the headless server profile (hardening, tuning, roles)";

    openPorts = mkOption {
      type = types.listOf types.port;
      default = [ ];
      example = [ 8080 ];
      description = ''
        Extra TCP ports open to the fleet only ({option}`profiles.fleet.firewall.fleetTCPPorts`),
        never to everyone. Roles open their own ports through their `openFirewall` options.
      '';
    };
  };

  config = mkIf cfg.enable {
    assertions = [
      {
        assertion = !config.profiles.desktop.enable;
        message = "profiles.server is headless: it needs profiles.desktop.enable = false; use machine type \"desktop\" for a graphical machine.";
      }
      {
        # Catches any module's openFirewall too, since it reads the merged firewall options.
        assertion = worldOpen == [ ];
        message = "profiles.server: ${config.networking.hostName} opens ${lib.concatStringsSep ", " worldOpen} to everyone, but a server opens only SSH, 80 and 443 to everyone. Set that service's openFirewall = false and add the port to profiles.fleet.firewall.fleetTCPPorts (fleet only).";
      }
    ];

    warnings = lib.optional (interfaceOpen != [ ]) "profiles.server: ${config.networking.hostName} opens ${lib.concatStringsSep ", " interfaceOpen} (networking.firewall.interfaces / trustedInterfaces) to everyone on those networks, not only to the fleet's sources. Fine for a network only the fleet is on (a VPN); otherwise use profiles.fleet.firewall.fleetTCPPorts.";

    networking.firewall.enable = true;
    # nftables: NixOS checks the ruleset when it builds it (networking.nftables.checkRuleset),
    # so a bad rule fails the build instead of stopping the running firewall at switch time.
    networking.nftables.enable = lib.mkDefault true;
    profiles.fleet.firewall.fleetTCPPorts = cfg.openPorts;

    # Headless: the interpreters and tools NixOS installs by default are not needed here.
    environment.defaultPackages = lib.mkDefault [ ];
  };
}
