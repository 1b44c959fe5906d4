# Docker's side of the fleet firewall: where published ports bind and what may be forwarded to
# them. Docker DNATs published ports before NixOS's input chain sees them (nixpkgs#111852), so
# the input firewall never applies; these rules do. Builtins only, evaluated by the tests.
let
  inherit (builtins) concatLists map toString;
in
rec {
  # The address `docker run -p 8080:80` binds to when the -p names none: this host only.
  defaultBindAddress = "127.0.0.1";

  # The bridges Docker puts containers on: docker0 and every user-defined network's br-<id>.
  # A network created with another com.docker.network.bridge.name is not covered.
  containerBridges = [
    "docker0"
    "br-+"
  ];

  # daemon.json settings the role sets (virtualisation.docker.daemon.settings).
  daemonSettings =
    { liveRestore }:
    {
      ip = "127.0.0.1";
      live-restore = liveRestore;
      # journald keeps container logs bounded, visible in journalctl and shipped to Loki.
      log-driver = "journald";
    };

  # Argument lists for `iptables` (and `ip6tables` with the ipv6 sources) that rebuild the
  # DOCKER-USER chain, which Docker evaluates before its own forward rules: replies and the
  # containers' own traffic pass, declared public ports pass from anywhere, fleet ports from the
  # fleet's sources, and every other new connection forwarded into a container bridge is dropped.
  userChainRules =
    {
      # [ "10.0.10.11" "10.0.10.0/24" ] for iptables, the IPv6 sources for ip6tables.
      sources,
      publicTCPPorts ? [ ],
      fleetTCPPorts ? [ ],
    }:
    let
      toContainer = port: [
        "-p"
        "tcp"
        "-m"
        "conntrack"
        "--ctorigdstport"
        (toString port)
      ];
      append = rest: [
        "-A"
        "DOCKER-USER"
      ]
      ++ rest;
    in
    [
      [
        "-F"
        "DOCKER-USER"
      ]
      (append [
        "-m"
        "conntrack"
        "--ctstate"
        "RELATED,ESTABLISHED"
        "-j"
        "RETURN"
      ])
      (append [
        "-i"
        "docker0"
        "-j"
        "RETURN"
      ])
      (append [
        "-i"
        "br-+"
        "-j"
        "RETURN"
      ])
    ]
    ++ map (port: append (toContainer port ++ [ "-j" "RETURN" ])) publicTCPPorts
    ++ concatLists (
      map (
        src:
        map (
          port:
          append (
            [
              "-s"
              src
            ]
            ++ toContainer port
            ++ [
              "-j"
              "RETURN"
            ]
          )
        ) fleetTCPPorts
      ) sources
    )
    # Only connections into a container bridge: DOCKER-USER sees every forwarded packet, and a
    # VPN or VM traffic this host routes is not Docker's to drop.
    ++ map (bridge: append [
      "-o"
      bridge
      "-m"
      "conntrack"
      "--ctstate"
      "NEW"
      "-j"
      "DROP"
    ]) containerBridges;
}
