# Firewall plan from plain data: which ports everyone may reach and which only the fleet may.
# Builtins only, so tests evaluate it with `nix-instantiate --eval` where nixpkgs is missing.
let
  inherit (builtins)
    attrNames
    concatLists
    concatStringsSep
    elem
    filter
    foldl'
    map
    match
    toString
    ;

  unique = foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) [ ];
  # "[fd00::1]" (the ssh form of an IPv6 address) -> "fd00::1".
  unbracket =
    s:
    let
      m = match "[[](.*)[]]" s;
    in
    if m == null then s else builtins.head m;
in
rec {
  # The only TCP ports a server may open to everyone: SSH and the web.
  publicTCPPorts = [
    22
    80
    443
  ];

  isIPv4 = s: match "[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?" s != null;
  isIPv6 = s: match "[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(/[0-9]{1,3})?" s != null;
  # A "subnet" that matches every address would make fleet-only ports public.
  isEverywhere = s: match "(0\\.0\\.0\\.0|::)/0" s != null;

  # The fleet's source addresses: every host.json deployment.targetHost that is an IP address,
  # plus `subnets` (CIDRs). Host names cannot be matched by a firewall; they are listed apart.
  fleetSources =
    {
      # Parsed host.json records keyed by host name (profiles.fleet.hosts).
      hosts,
      # Extra networks or addresses of the fleet (profiles.fleet.subnets).
      subnets ? [ ],
    }:
    let
      withTarget = filter (name: hosts.${name} ? deployment.targetHost) (attrNames hosts);
      targets = map (name: {
        inherit name;
        address = unbracket hosts.${name}.deployment.targetHost;
      }) withTarget;
      isAddress = s: isIPv4 s || isIPv6 s;
      all = unique (map (t: t.address) (filter (t: isAddress t.address) targets) ++ subnets);
      # Never a source: reported in `everywhere` so the module can refuse it by name.
      usable = filter (s: !(isEverywhere s)) all;
    in
    {
      ipv4 = filter isIPv4 usable;
      ipv6 = filter (s: !(isIPv4 s) && isIPv6 s) usable;
      # Hosts whose targetHost is a name or an ssh alias: covered only if `subnets` holds them.
      unmatched = map (t: t.name) (filter (t: !(isAddress t.address)) targets);
      everywhere = filter isEverywhere all;
    };

  # What a host opens to everyone beyond `allowed`, as "TCP 3000" / "UDP 53" / "TCP 8000-8010".
  worldViolations =
    {
      tcp ? [ ],
      udp ? [ ],
      tcpRanges ? [ ],
      udpRanges ? [ ],
      allowed ? publicTCPPorts,
    }:
    map (p: "TCP ${toString p}") (filter (p: !(elem p allowed)) tcp)
    ++ map (p: "UDP ${toString p}") udp
    ++ map (r: "TCP ${toString r.from}-${toString r.to}") tcpRanges
    ++ map (r: "UDP ${toString r.from}-${toString r.to}") udpRanges;

  # iptables commands for networking.firewall.extraCommands: accept `tcp` ports from the sources.
  # They run before the firewall's final refuse rule, in its own nixos-fw chain (flushed on reload).
  iptablesRules =
    { sources, tcp }:
    let
      rule =
        cmd: src: port:
        "${cmd} -w -A nixos-fw -p tcp -s ${src} --dport ${toString port} -j nixos-fw-accept";
      rules =
        cmd: srcs: concatLists (map (src: map (rule cmd src) tcp) srcs);
    in
    concatStringsSep "\n" (rules "iptables" sources.ipv4 ++ rules "ip6tables" sources.ipv6);

  # nftables rules for networking.firewall.extraInputRules (the input-allow chain). One rule per
  # source: an address inside a listed subnet would make a set of sources overlap, which nft refuses.
  nftablesRules =
    { sources, tcp }:
    let
      ports = "{ ${concatStringsSep ", " (map toString tcp)} }";
      rule = family: src: "${family} saddr ${src} tcp dport ${ports} accept";
    in
    if tcp == [ ] then
      ""
    else
      concatStringsSep "\n" (map (rule "ip") sources.ipv4 ++ map (rule "ip6") sources.ipv6);
}
